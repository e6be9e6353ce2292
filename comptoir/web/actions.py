"""The buttons of each document page: what a user may do now, and the service that does it.

A button is shown only when the document's state allows it; the service checks again and
refuses with a BusinessError otherwise, shown as a message on the page.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from comptoir.billing import services as billing
from comptoir.billing.models import Invoice
from comptoir.core.errors import BusinessError
from comptoir.purchasing import services as purchasing
from comptoir.purchasing.models import PurchaseOrder
from comptoir.sales import services as sales
from comptoir.sales.models import Progress, Quotation, SalesOrder
from comptoir.stock import services as stock
from comptoir.stock.models import CustomerReturn, DeliveryNote


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    allowed: Callable[[object], bool]
    run: Callable | None = None  # service(document, by=user); None: `page` is a form
    page: str = ""  # URL name of the form that asks what the action needs
    confirm: str = ""  # irreversible: the question asked before
    style: str = ""
    permission: str = ""  # what running it needs (a form page: what the page needs)
    done: str = ""  # what the page says once run: %(ref)s the document, %(result)s what it made

    def needs(self) -> str:
        from comptoir.core.access import PAGES

        return self.permission or PAGES[self.page].read


def _can(target: str) -> Callable[[object], bool]:
    """Allowed when the model's declared transitions allow moving to `target`."""
    return lambda doc: target in doc.TRANSITIONS.get(doc.status, set())


def _is(*statuses: str) -> Callable[[object], bool]:
    return lambda doc: doc.status in statuses


def _passes(check) -> Callable[[object], bool]:
    """Allowed when the service's own check lets it through: no button promises what the
    service would refuse."""

    def allowed(doc) -> bool:
        try:
            check(doc)
        except BusinessError:
            return False
        return True

    return allowed


def _open_order(doc, progress_field: str) -> bool:
    confirmed = doc.status == SalesOrder.Status.CONFIRMED
    return confirmed and getattr(doc, progress_field) != Progress.FULLY


def _sales_invoice(doc) -> bool:
    return doc.status == Invoice.Status.ISSUED and doc.kind != Invoice.Kind.CREDIT_NOTE


def _unpaid_invoice(doc) -> bool:
    """Cancel and correct are for unpaid invoices; a paid one can only be credited."""
    return _sales_invoice(doc) and doc.amount_paid == 0 and doc.amount_credited == 0


def _credit_return(customer_return, *, by=None):
    """The draft credit note(s) of the goods returned; the page shows the first."""
    return billing.credit_for_return(customer_return, by=by)[0]


def _mark_picked(delivery, *, by=None):
    return stock.mark_picked([delivery], by=by)[0]


ACTIONS: dict[type, list[Action]] = {
    Quotation: [
        Action("edit", _("Edit"), _is("draft"), page="sales:quotation_edit"),
        Action("send", _("Mark as sent"), _can("sent"), sales.send_quotation,
               permission="sales.change_quotation", done=_("Quotation %(ref)s marked as sent.")),
        Action("accept", _("Accept"), _can("accepted"), sales.accept_quotation, style="primary",
               permission="sales.change_quotation", done=_("Quotation %(ref)s accepted.")),
        Action("refuse", _("Refuse"), _can("refused"), sales.refuse_quotation,
               permission="sales.change_quotation", done=_("Quotation %(ref)s refused.")),
        Action(
            "order", _("Convert to order"), _passes(sales.check_quotation_convertible),
            sales.convert_quotation_to_order,
            style="primary", permission="sales.add_salesorder",
            done=_("Order %(result)s created from quotation %(ref)s."),
        ),
        Action("invoice", _("Invoice directly"), _passes(sales.check_quotation_convertible),
               billing.invoice_quotation,
               permission="billing.add_invoice",
               done=_("Draft invoice created from quotation %(ref)s: check it, then issue it.")),
        Action("email", _("Send by e-mail"), _is("draft", "sent", "accepted"),
               page="billing:quotation_send"),
    ],
    SalesOrder: [
        Action("edit", _("Edit"), _is("draft"), page="sales:order_edit"),
        Action("confirm", _("Confirm"), _can("confirmed"), sales.confirm_order, style="primary",
               permission="sales.change_salesorder", done=_("Order %(ref)s confirmed.")),
        Action(
            "deliver", _("Deliver"), lambda d: _open_order(d, "delivery_status"),
            page="stock:order_deliver", style="primary",
        ),
        Action(
            "purchase", _("Buy from a supplier"), lambda d: _open_order(d, "delivery_status"),
            page="purchasing:sales_order_purchase",
        ),
        Action(
            "invoice", _("Invoice the order"), lambda d: _open_order(d, "billing_status"),
            billing.invoice_order, style="primary", permission="billing.add_invoice",
            done=_("Draft invoice created for order %(ref)s: check it, then issue it."),
        ),
        Action(
            "down_payment", _("Down payment"), lambda d: _open_order(d, "billing_status"),
            page="billing:order_down_payment",
        ),
        Action("email", _("Send by e-mail"), _is("confirmed", "done"), page="billing:order_send"),
        Action(
            "cancel", _("Cancel the order"), _passes(sales.check_order_cancellable),
            sales.cancel_order,
            confirm=_("Cancel this order? It cannot be confirmed again."), style="danger",
            permission="sales.change_salesorder", done=_("Order %(ref)s cancelled."),
        ),
    ],
    DeliveryNote: [
        Action("return", _("Goods returned"), _is("shipped"), page="stock:delivery_return"),
        Action("picked", _("Mark as picked"), _can("ready"), _mark_picked,
               permission="stock.change_deliverynote",
               done=_("Delivery note %(ref)s picked: ready to ship.")),
        Action("ship", _("Ship"), _can("shipped"), stock.ship_delivery, style="primary",
               permission="stock.change_deliverynote", done=_("Delivery note %(ref)s shipped.")),
        Action(
            "cancel", _("Cancel the delivery"), _can("cancelled"), stock.cancel_delivery,
            confirm=_("Cancel this delivery note? Its quantities go back to the order."),
            style="danger", permission="stock.change_deliverynote",
            done=_("Delivery note %(ref)s cancelled."),
        ),
    ],
    PurchaseOrder: [
        Action(
            "confirm", _("Send to the supplier"), _can("confirmed"),
            purchasing.confirm_purchase_order, style="primary",
            permission="purchasing.change_purchaseorder",
            done=_("Purchase order %(ref)s sent to the supplier."),
        ),
        Action("receive", _("Receive"), _is("confirmed"), page="purchasing:order_receive"),
        Action(
            "cancel", _("Cancel the purchase"), _can("cancelled"),
            purchasing.cancel_purchase_order,
            confirm=_("Cancel this purchase order? Its goods are no longer expected."),
            style="danger", permission="purchasing.change_purchaseorder",
            done=_("Purchase order %(ref)s cancelled."),
        ),
    ],
    CustomerReturn: [
        Action("credit", _("Credit note for these goods"), lambda r: True, _credit_return,
               permission="billing.credit_invoice",
               done=_("Draft credit note created for these goods: check it, then issue it.")),
    ],
    Invoice: [
        Action("edit", _("Edit"), _is("draft"), page="billing:invoice_edit"),
        Action(
            "issue", _("Issue"), _is("draft"), billing.issue_invoice,
            confirm=_(
                "Issue this document? It gets its final number and can never be changed "
                "nor deleted; corrections are made by credit note."
            ),
            style="primary", permission="billing.issue_invoice",
            done=_("Document issued under number %(result)s."),
        ),
        Action(
            "delete", _("Delete the draft"), _is("draft"), billing.delete_invoice,
            confirm=_("Delete this draft?"), style="danger",
            permission="billing.delete_invoice", done=_("Draft deleted."),
        ),
        Action(
            "pay", _("Register a payment"),
            lambda d: _sales_invoice(d) and getattr(d, "outstanding", 0) > 0,
            page="payments:invoice_pay", style="primary",
        ),
        Action("send", _("Send by e-mail"), _is("issued"), page="billing:invoice_send"),
        Action(
            "credit", _("Credit"), _sales_invoice, page="billing:invoice_credit",
            style="danger",
        ),
        Action(
            "correct", _("Correct"), _unpaid_invoice, billing.correct_invoice,
            confirm=_(
                "Correct this invoice? It is cancelled by a credit note issued now, and a "
                "draft copy opens for you to fix and issue."
            ),
            permission="billing.credit_invoice",
            done=_("Invoice %(ref)s cancelled by a credit note; its corrected copy is open."),
        ),
        Action(
            "cancel", _("Cancel the invoice"), _unpaid_invoice, billing.cancel_invoice,
            confirm=_("Cancel this invoice? A credit note for all of it is issued now."),
            style="danger", permission="billing.credit_invoice",
            done=_("Invoice %(ref)s cancelled by a credit note."),
        ),
    ],
}  # fmt: skip


MODEL_KEYS = {
    Quotation: "quotation",
    SalesOrder: "order",
    DeliveryNote: "delivery",
    CustomerReturn: "return",
    PurchaseOrder: "purchase",
    Invoice: "invoice",
}
MODELS = {key: model for model, key in MODEL_KEYS.items()}


def available(document, user) -> list[Action]:
    """The document's actions its state allows and the user's role allows."""
    from comptoir.core.access import allows

    return [
        action
        for action in ACTIONS.get(type(document), [])
        if action.allowed(document) and allows(user, action.needs())
    ]


def permission_for(kind: str, name: str) -> str | None:
    """What running the action ``name`` on a document of ``kind`` needs (None: no such
    action, refused)."""
    action = find(MODELS[kind], name) if kind in MODELS else None
    return action.needs() if action else None


def find(model: type, name: str) -> Action | None:
    return next((a for a in ACTIONS.get(model, []) if a.name == name and a.run), None)
