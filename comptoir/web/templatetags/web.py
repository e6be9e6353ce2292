"""Template tags that put together what several apps know: actions and document chains."""

from django import template
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from comptoir.billing.models import Invoice
from comptoir.billing.queries import open_receivables
from comptoir.core import access
from comptoir.core.widgets import SearchPicker
from comptoir.parties.queries import visible_customers
from comptoir.payments.models import Payment
from comptoir.payments.queries import customer_balance
from comptoir.sales.models import Quotation, SalesOrder
from comptoir.stock.models import DeliveryNote
from comptoir.web import actions
from comptoir.web.history import entries as history_entries

register = template.Library()

MODEL_KEYS = actions.MODEL_KEYS


@register.inclusion_tag("web/actions.html", takes_context=True)
def document_actions(context, document):
    buttons = []
    for action in actions.available(document, context["request"].user):
        if action.page:
            url = reverse(action.page, args=[document.pk])
        else:
            url = reverse("web:action", args=[MODEL_KEYS[type(document)], document.pk, action.name])
        buttons.append({"action": action, "url": url, "is_form": not action.page})
    return {"buttons": buttons, "pdf_url": _pdf_url(document, context["request"].user)}


PDF_KINDS = {
    Quotation: "quotation",
    SalesOrder: "order",
    DeliveryNote: "delivery",
    Invoice: "invoice",
}


def _pdf_url(document, user) -> str:
    """The document's PDF, if it has one and the user may open it."""
    kind = PDF_KINDS.get(type(document))
    if kind is None or not access.allows(user, access.DOCUMENT_KINDS[kind]):
        return ""
    if kind == "invoice":
        return reverse("billing:invoice_pdf", args=[document.pk])
    return reverse("billing:document_pdf", args=[kind, document.pk])


def _chain_documents(document):
    """The quotation, orders, deliveries, invoices, credit notes and payments around one."""
    quotation = orders = None
    invoices_filter = Q(pk__in=[])
    if isinstance(document, Quotation):
        quotation = document
    elif isinstance(document, SalesOrder):
        orders = [document]
        quotation = document.quotation
    elif isinstance(document, DeliveryNote):
        orders = [document.order]
        quotation = document.order.quotation
    elif isinstance(document, Invoice):
        root = document.credited_invoice or document
        invoices_filter = Q(pk=root.pk) | Q(credited_invoice=root.pk)
        quotation = root.quotation
        if root.order_id:
            orders = [root.order]
            quotation = quotation or root.order.quotation
    if orders is None:
        orders = list(quotation.orders.all()) if quotation else []
    if quotation:
        invoices_filter |= Q(quotation=quotation)
    if orders:
        invoices_filter |= Q(order__in=orders)
    # The chain shows each document's number, status and link: only those are read.
    shown = ("number", "status", "date")
    invoices = list(
        Invoice.objects.filter(invoices_filter).only(*shown, "kind").order_by("date", "pk")
    )
    deliveries = list(
        DeliveryNote.objects.filter(order__in=orders).only(*shown).order_by("date", "pk")
    )
    payments = list(
        Payment.objects.filter(allocations__invoice__in=invoices)
        .only(*shown)
        .distinct()
        .order_by("date", "pk")
    )
    return quotation, orders, deliveries, invoices, payments


@register.inclusion_tag("web/chain.html", takes_context=True)
def document_chain(context, document):
    """The documents before and after this one, of the kinds the user may see."""
    quotation, orders, deliveries, invoices, payments = _chain_documents(document)
    groups = [
        (_("Quotation"), [quotation] if quotation else []),
        (_("Orders"), orders),
        (_("Deliveries"), deliveries),
        (_("Invoices"), [i for i in invoices if i.kind != Invoice.Kind.CREDIT_NOTE]),
        (_("Credit notes"), [i for i in invoices if i.kind == Invoice.Kind.CREDIT_NOTE]),
        (_("Payments"), payments),
    ]
    user = context["request"].user
    steps = [
        {"label": label, "documents": docs, "current": document}
        for label, docs in groups
        if docs and access.may_view(user, type(docs[0]))
    ]
    return {"steps": steps if len(steps) > 1 or len(steps[0]["documents"]) > 1 else []}


@register.inclusion_tag("web/customer_account.html", takes_context=True)
def customer_account(context, customer):
    """The customer's balance and open invoices, for a user who sees invoices and amounts."""
    if not access.allows(context["request"].user, ("billing.view_invoice", access.SEE_PRICES)):
        return {"hidden": True}
    invoices = Invoice.objects.filter(customer=customer, status=Invoice.Status.ISSUED)
    return {
        "balance": customer_balance(customer),
        "receivables": open_receivables(invoices),
    }


RECENT = 10


@register.inclusion_tag("web/customer_documents.html", takes_context=True)
def customer_documents(context, customer):
    """The customer's latest documents of each kind the user may see."""
    user = context["request"].user

    def recent(model):
        rows = model.objects.filter(customer=customer).order_by("-date", "-pk")[:RECENT]
        return [
            (doc, getattr(doc, "total_gross", None) or getattr(doc, "amount", 0)) for doc in rows
        ]

    kinds = [
        (_("Quotations"), "sales:quotations", Quotation),
        (_("Orders"), "sales:orders", SalesOrder),
        (_("Invoices and credit notes"), "billing:invoices", Invoice),
        (_("Payments"), "payments:payments", Payment),
    ]
    return {
        "customer": customer,
        "prices": access.allows(user, access.SEE_PRICES),
        "groups": [
            (label, list_url, recent(model))
            for label, list_url, model in kinds
            if access.may_view(user, model)
        ],
    }


@register.filter
def may_open(user, url_name: str) -> bool:
    """``{% if request.user|may_open:"sales:quotation_new" %}``: a link only to what opens."""
    return access.may_open(user, url_name)


@register.filter
def may_submit(user, url: str) -> bool:
    """``{% if request.user|may_submit:purge_url %}``: a form only where its sending is allowed."""
    return access.may_submit(user, url)


@register.filter
def role_label(name: str) -> str:
    """A shipped role's name in the user's language; other groups as they are named."""
    from comptoir.core.roles import BY_NAME

    role = BY_NAME.get(name)
    return role.label if role else name


@register.inclusion_tag("web/history.html", takes_context=True)
def history(context, record, limit: int = 100):
    """Who created, changed, issued… the record, newest first, with the values changed as the
    user reads them (but the money the user may not see)."""
    return {"entries": history_entries(record, context["request"].user, limit)}


@register.simple_tag(takes_context=True)
def customer_picker(context, name: str, code: str, readonly=False):
    """A customer chosen by name, code or SIREN; the box shows the chosen customer's name."""
    user = context["request"].user

    def name_of(value):
        return visible_customers(user).filter(code=value).values_list("name", flat=True).first()

    picker = SearchPicker("parties:customer_options", label=name_of)
    attrs = {"id": f"id_{name}", "required": True, "readonly": bool(readonly)}
    return picker.render(name, code, attrs)


@register.simple_tag
def line_item_picker(index: int, code: str):
    """The item of a document's line ``index``, chosen by code, name or barcode."""
    name = f"lines-{index}-item"
    picker = SearchPicker("catalog:item_options", label=str)
    return picker.render(name, code, {"id": name, "aria-label": _("Item")})
