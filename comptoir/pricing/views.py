"""The document form views shared by quotations, orders and invoices, and settings lists."""

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from comptoir.core import access
from comptoir.core.errors import BusinessError
from comptoir.core.listing import Column, Listing
from comptoir.core.models import Company
from comptoir.core.money import round_amount
from comptoir.core.views import form_page, save_form
from comptoir.parties.queries import visible_customers
from comptoir.pricing import rule_files, services
from comptoir.pricing.coupons import coupons_csv, visible_coupons, visible_uses, with_uses
from comptoir.pricing.engine import why_price as why_price_of
from comptoir.pricing.explanation import NOT_APPLIED
from comptoir.pricing.forms import (
    CouponBatchForm,
    CouponForm,
    DocumentForm,
    PromotionForm,
    RuleForm,
    ShippingMethodForm,
    ShippingRuleForm,
    ShippingZoneForm,
    TaxForm,
    WhyPriceForm,
)
from comptoir.pricing.models import (
    FRANCHISE,
    Coupon,
    PaymentTerms,
    PricingRule,
    Promotion,
    ShippingMethod,
    ShippingRule,
    ShippingZone,
    Tax,
)
from comptoir.pricing.rule_texts import describe_action, describe_conditions
from comptoir.pricing.variant_entry import offered_templates


@dataclass(frozen=True)
class DocumentKind:
    """What the form needs to know of one kind of document."""

    doc_model: type
    line_model: type
    create: Callable
    update: Callable
    title: str
    extra_fields: tuple[str, ...] = ()


def _context(kind: DocumentKind, form: DocumentForm, document, request) -> dict:
    return {
        "kind": kind,
        "form": form,
        "document": document,
        "taxes": offered_taxes(),
        "payment_terms": PaymentTerms.objects.order_by("name"),
        "shipping_methods": ShippingMethod.objects.filter(active=True).order_by("name"),
        "preview_url": request.path,
        "variant_models": offered_templates(),
    }


def offered_taxes():
    """The taxes a line may use: those in use, without the VAT franchise for a company with a
    VAT number (the engine refuses it)."""
    taxes = Tax.objects.filter(active=True).order_by("code")
    if Company.get().vat_id:
        taxes = taxes.exclude(exemption_reason_code=FRANCHISE)
    return taxes


def document_form_view(kind: DocumentKind):
    """New/edit view of a draft: a POST from htmx previews, a plain POST saves."""

    def view(request, pk=None):
        document = None
        if pk is not None:
            document = access.get_owned(
                kind.doc_model.objects.select_related(
                    "customer", "payment_terms", "shipping_method"
                ),
                request.user,
                pk=pk,
            )
            if document.status != "draft":
                messages.error(request, _("Only a draft can be edited."))
                return redirect(document)
        if request.method != "POST":
            form = DocumentForm(
                document=document,
                extra_fields=kind.extra_fields,
                customer=request.GET.get("customer", ""),
                user=request.user,
            )
            if document is not None:
                form.preview(kind.doc_model, kind.line_model, by=request.user)
            return render(
                request, "pricing/document_form.html", _context(kind, form, document, request)
            )
        form = DocumentForm(
            request.POST, document=document, extra_fields=kind.extra_fields, user=request.user
        )
        if request.headers.get("HX-Request"):
            form.preview(kind.doc_model, kind.line_model, by=request.user)
            # The header's errors come along, each into its place beside its field.
            return render(
                request,
                "pricing/document_lines.html",
                {**_context(kind, form, document, request), "live": True},
            )
        wanted, refused = form.read(), None
        if wanted is not None:
            try:
                if document is None:
                    document = kind.create(
                        wanted.customer, wanted.lines, by=request.user, **wanted.header
                    )
                else:
                    kind.update(document, lines=wanted.lines, by=request.user, **wanted.header)
            except BusinessError as error:
                refused = error
            else:
                messages.success(request, document.saved_message)
                return redirect(document)
        # Every error next to its field, the other lines still priced and totalled.
        form.preview(kind.doc_model, kind.line_model, by=request.user)
        if refused is not None:
            form.add_error(refused)
        return render(
            request,
            "pricing/document_form.html",
            _context(kind, form, document, request),
            status=400,
        )

    return view


class TaxListing(Listing):
    model = Tax
    title = gettext_lazy("Taxes")
    columns = [
        Column("code", gettext_lazy("Code"), "code", sort="code"),
        Column("name", gettext_lazy("Name"), "name", sort="name"),
        Column("category", gettext_lazy("VAT category"), "get_category_display"),
        Column("rate", gettext_lazy("Rate"), "rate", kind="quantity", sort="rate"),
        Column("exemption", gettext_lazy("Exemption text"), "exemption_reason"),
        Column("vatex", gettext_lazy("VATEX code"), "exemption_reason_code"),
        Column("active", gettext_lazy("Active"), "active", kind="bool"),
    ]
    search_fields = ("code", "name", "exemption_reason", "exemption_reason_code")
    status_field = customer_field = date_field = amount_field = None
    default_sort = "code"
    create_url_name = "pricing:tax_new"
    create_label = gettext_lazy("New tax")


def tax_form(request, pk: int | None = None):
    tax = get_object_or_404(Tax, pk=pk) if pk else None
    form = TaxForm(request.POST or None, instance=tax)
    if request.method == "POST":
        saved = save_form(form, lambda data: services.save_tax(tax, **data))
        if saved is not None:
            messages.success(request, _("Tax %(name)s saved.") % {"name": saved.name})
            return redirect("pricing:taxes")
    return form_page(request, form, str(tax) if tax else _("New tax"), reverse("pricing:taxes"))


class PaymentTermsListing(Listing):
    model = PaymentTerms
    title = gettext_lazy("Payment terms")
    columns = [
        Column("code", gettext_lazy("Code"), "code", sort="code"),
        Column("name", gettext_lazy("Name"), "name", sort="name"),
        Column("days", gettext_lazy("Days"), "days", kind="quantity", sort="days"),
        Column("end_of_month", gettext_lazy("End of month"), "end_of_month", kind="bool"),
    ]
    search_fields = ("code", "name")
    status_field = customer_field = date_field = amount_field = None
    default_sort = "code"


def why_price(request):
    """Why a customer gets a price for an item, a quantity and a day: each step, and every rule
    the line meets, applied or not."""
    data = request.GET if request.GET.get("item") or request.GET.get("customer") else None
    initial = {"quantity": 1, "date": timezone.localdate()}
    form = WhyPriceForm(data, user=request.user, initial=initial)
    context = {"form": form, "title": _("Why this price?")}
    if form.is_valid():
        customer, item = form.cleaned_data["customer"], form.cleaned_data["item"]
        quantity, day = form.cleaned_data["quantity"], form.cleaned_data["date"]
        try:
            priced = why_price_of(customer, item, quantity, day, by=request.user)
        except BusinessError as error:
            form.add_error(None, error.message)
        else:
            context.update(
                priced=priced,
                outcomes=[
                    (o.rule, o.applied, NOT_APPLIED[o.reason](o.by) if o.reason else "")
                    for o in priced.outcomes
                ],
                currency=Company.get().currency,
                line_amount=round_amount(quantity * priced.net),
            )
    return render(request, "pricing/why_price.html", context)


# Shipping ---------------------------------------------------------------------------------------


class ShippingMethodListing(Listing):
    model = ShippingMethod
    title = gettext_lazy("Shipping methods")
    columns = [
        Column("code", gettext_lazy("Code"), "code", sort="code"),
        Column("name", gettext_lazy("Name"), "name", sort="name"),
        Column("carrier", gettext_lazy("Carrier"), "carrier", sort="carrier"),
        Column("tax", gettext_lazy("VAT"), "tax.name"),
        Column("active", gettext_lazy("Active"), "active", kind="bool"),
    ]
    search_fields = ("code", "name", "carrier")
    status_field = customer_field = date_field = amount_field = None
    default_sort = "name"
    create_url_name = "pricing:shipping_method_new"
    create_label = gettext_lazy("New shipping method")

    def get_queryset(self):
        return ShippingMethod.objects.select_related("tax")


class ShippingZoneListing(Listing):
    model = ShippingZone
    title = gettext_lazy("Shipping zones")
    columns = [
        Column("code", gettext_lazy("Code"), "code", sort="code"),
        Column("name", gettext_lazy("Name"), "name", sort="name"),
        Column("country", gettext_lazy("Country"), "country", sort="country"),
        Column("prefixes", gettext_lazy("Postal code prefixes"), "postal_prefixes"),
    ]
    search_fields = ("code", "name", "postal_prefixes")
    status_field = customer_field = date_field = amount_field = None
    default_sort = "name"
    create_url_name = "pricing:shipping_zone_new"
    create_label = gettext_lazy("New shipping zone")


class ShippingRuleListing(Listing):
    model = ShippingRule
    title = gettext_lazy("Shipping rules")
    columns = [
        Column("method", gettext_lazy("Shipping method"), "method.name", sort="method__name"),
        Column("destination", gettext_lazy("Destination"), "destination"),
        Column("weight_over", gettext_lazy("Weight over (kg)"), "weight_over", kind="quantity"),
        Column("weight_up_to", gettext_lazy("Up to (kg)"), "weight_up_to", kind="quantity"),
        Column("amount_from", gettext_lazy("Amount from"), "amount_from", kind="money"),
        Column("amount_below", gettext_lazy("Below"), "amount_below", kind="money"),
        Column("charge", gettext_lazy("Charge"), "charge", kind="money", sort="charge"),
        Column("per_kg", gettext_lazy("Per kg"), "charge_per_kg", kind="money"),
        Column("priority", gettext_lazy("Priority"), "priority", kind="quantity", sort="priority"),
        Column("active", gettext_lazy("Active"), "active", kind="bool"),
    ]
    search_fields = ("method__name", "method__code", "country", "zone__name")
    status_field = customer_field = date_field = amount_field = None
    default_sort = "method"
    create_url_name = "pricing:shipping_rule_new"
    create_label = gettext_lazy("New shipping rule")

    def get_queryset(self):
        return ShippingRule.objects.select_related("method", "zone")


SHIPPING_PAGES = {  # model → (form, list URL, title of a new one, saved message)
    ShippingMethod: (
        ShippingMethodForm,
        "pricing:shipping_methods",
        gettext_lazy("New shipping method"),
        gettext_lazy("Shipping method %(name)s saved."),
    ),
    ShippingZone: (
        ShippingZoneForm,
        "pricing:shipping_zones",
        gettext_lazy("New shipping zone"),
        gettext_lazy("Shipping zone %(name)s saved."),
    ),
    ShippingRule: (
        ShippingRuleForm,
        "pricing:shipping_rules",
        gettext_lazy("New shipping rule"),
        gettext_lazy("Shipping rule %(name)s saved."),
    ),
}


def shipping_form(model):
    """The form page of a shipping method, zone or rule, with its history."""
    form_class, list_url, new_title, saved = SHIPPING_PAGES[model]

    def view(request, pk: int | None = None):
        row = get_object_or_404(model, pk=pk) if pk else None
        form = form_class(request.POST or None, instance=row)
        if request.method == "POST":
            done = save_form(form, lambda data: services.save_shipping(model, row, **data))
            if done is not None:
                messages.success(request, saved % {"name": done})
                return redirect(list_url)
        return form_page(
            request, form, str(row) if row else str(new_title), reverse(list_url), record=row
        )

    return view


# Pricing rules ---------------------------------------------------------------------------------

ACTIVE_CHOICES = [
    ("", gettext_lazy("All")),
    ("yes", gettext_lazy("Active")),
    ("no", gettext_lazy("Inactive")),
]


class RuleListing(Listing):
    model = PricingRule
    title = gettext_lazy("Pricing rules")
    columns = [
        Column("code", gettext_lazy("Code"), "code", sort="code"),
        Column("name", gettext_lazy("Name"), "name", sort="name"),
        Column("conditions", gettext_lazy("Conditions"), "conditions_text"),
        Column("action", gettext_lazy("Action"), "action_text"),
        Column("priority", gettext_lazy("Priority"), "priority", kind="quantity", sort="priority"),
        Column("active", gettext_lazy("Active"), "active", kind="bool"),
    ]
    search_fields = (
        "code", "name", "customer__code", "customer__name", "customer_group__name",
        "territory__name", "item__code", "item__name", "item_group__name",
    )  # fmt: skip
    status_field = customer_field = date_field = amount_field = None
    default_sort = "-priority"
    create_url_name = "pricing:rule_new"
    create_label = gettext_lazy("New rule")
    other_page_names = ((gettext_lazy("Import a file"), "pricing:rules_import"),)

    def _shape_form(self) -> None:
        super()._shape_form()
        self.form.fields["active"] = forms.ChoiceField(
            label=_("Active"), choices=ACTIVE_CHOICES, required=False
        )

    def get_queryset(self):
        return rule_files.rules_for_file()

    def filtered(self):
        qs = super().filtered()
        wanted = self.filters.get("active")
        return qs.filter(active=wanted == "yes") if wanted else qs

    def prepare(self, objects: list) -> None:
        for rule in objects:
            rule.conditions_text = describe_conditions(rule)
            rule.action_text = describe_action(rule)

    def export(self, kind: str) -> HttpResponse:
        """The file the import reads back: every column of a rule, its linked rows by code."""
        return rules_file_response(kind, self.filtered())


def rules_file_response(kind: str, queryset=None) -> HttpResponse:
    kind = "xlsx" if kind == "xlsx" else "csv"
    content = rule_files.export_file(kind, queryset)
    response = HttpResponse(
        content,
        content_type=rule_files.XLSX_TYPE if kind == "xlsx" else "text/csv; charset=utf-8",
    )
    name = f"{slugify(_('Pricing rules'))}-{timezone.localdate().isoformat()}.{kind}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def rule_form(request, pk: int | None = None):
    rule = get_object_or_404(PricingRule, pk=pk) if pk else None
    form = RuleForm(request.POST or None, instance=rule)
    if request.method == "POST":
        saved = save_form(form, lambda data: services.save_rule(rule, by=request.user, **data))
        if saved is not None:
            messages.success(request, _("Rule %(name)s saved.") % {"name": saved.name})
            return redirect("pricing:rules")
    title = str(rule) if rule else _("New pricing rule")
    extra = {"record": rule, "after_form": "pricing/rule_buttons.html"} if rule else {}
    if rule is not None:
        extra["summary"] = _("%(conditions)s → %(action)s") % {
            "conditions": describe_conditions(rule),
            "action": describe_action(rule),
        }
    return form_page(request, form, title, reverse("pricing:rules"), rule=rule, **extra)


@require_POST
def rule_active(request, pk: int):
    """Switch a rule on or off: the form says which, so that a second click changes nothing."""
    rule = get_object_or_404(PricingRule, pk=pk)
    active = request.POST.get("active") == "yes"
    try:
        services.set_rule_active(rule, active, by=request.user)
    except BusinessError as error:
        messages.error(request, error.message)
    else:
        done = _("Rule %(name)s switched on.") if active else _("Rule %(name)s switched off.")
        messages.success(request, done % {"name": rule.name})
    return redirect(rule)


def rule_delete(request, pk: int):
    rule = get_object_or_404(PricingRule, pk=pk)
    if request.method == "POST":
        services.delete_rule(rule)
        messages.success(request, _("Rule %(name)s deleted.") % {"name": rule.name})
        return redirect("pricing:rules")
    return render(request, "pricing/rule_delete.html", {"rule": rule})


class RuleFileForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "CSV (semicolons) or XLSX, with the columns of the export. A rule is created, or "
            "changed when its code exists."
        ),
    )


def rules_import(request):
    form = RuleFileForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = rule_files.import_rules(upload.read(), upload.name, by=request.user)
        except BusinessError as error:
            form.add_error("file", error.message)
    status = 400 if form.errors or (result and result.refused) else 200
    return render(
        request,
        "pricing/rules_import.html",
        {"form": form, "result": result},
        status=status,
    )


# Promotions --------------------------------------------------------------------------------------


class PromotionListing(Listing):
    model = Promotion
    title = gettext_lazy("Promotions")
    columns = [
        Column("code", gettext_lazy("Code"), "code", sort="code"),
        Column("name", gettext_lazy("Name"), "name", sort="name"),
        Column("kind", gettext_lazy("Kind"), "get_kind_display"),
        Column("from", gettext_lazy("Valid from"), "valid_from", kind="date", sort="valid_from"),
        Column("to", gettext_lazy("Valid to"), "valid_to", kind="date", sort="valid_to"),
        Column("priority", gettext_lazy("Priority"), "priority", kind="quantity", sort="priority"),
        Column("active", gettext_lazy("Active"), "active", kind="bool"),
    ]
    search_fields = ("code", "name")
    status_field = customer_field = date_field = amount_field = None
    default_sort = "code"
    create_url_name = "pricing:promotion_new"
    create_label = gettext_lazy("New promotion")


def promotion_form(request, pk: int | None = None):
    """A promotion's page: its form (switched on or off there) and its history."""
    row = get_object_or_404(Promotion, pk=pk) if pk else None
    form = PromotionForm(request.POST or None, instance=row)
    if request.method == "POST":
        done = save_form(form, lambda data: services.save_promotion(row, **data))
        if done is not None:
            messages.success(request, _("Promotion %(name)s saved.") % {"name": done.name})
            return redirect("pricing:promotions")
    title = str(row) if row else _("New promotion")
    return form_page(request, form, title, reverse("pricing:promotions"), record=row)


# Coupons ------------------------------------------------------------------------------------------


class CouponListing(Listing):
    model = Coupon
    title = gettext_lazy("Coupons")
    columns = [
        Column("code", gettext_lazy("Code"), "code", sort="code"),
        Column("name", gettext_lazy("Name"), "name", sort="name"),
        Column("campaign", gettext_lazy("Campaign"), "campaign", sort="campaign"),
        Column("discount", gettext_lazy("Discount"), "discount"),
        Column("valid_to", gettext_lazy("Valid until"), "valid_to", kind="date", sort="valid_to"),
        Column("uses", gettext_lazy("Uses"), "use_count", kind="quantity", sort="use_count"),
        Column("left", gettext_lazy("Uses left"), "uses_left", kind="quantity"),
        Column("active", gettext_lazy("Active"), "active", kind="bool"),
    ]
    search_fields = ("code", "name", "campaign")
    status_field = customer_field = date_field = amount_field = None
    default_sort = "code"
    create_url_name = "pricing:coupon_new"
    create_label = gettext_lazy("New coupon")
    other_page_names = ((gettext_lazy("Generate codes"), "pricing:coupon_generate"),)

    def get_queryset(self):
        return with_uses(visible_coupons(self.user, Coupon.objects.select_related("customer")))


def coupon_form(request, pk: int | None = None):
    """A coupon's page: its settings, switched on or off, its uses and its history."""
    visible = with_uses(visible_coupons(request.user))
    coupon = get_object_or_404(visible, pk=pk) if pk else None
    form = CouponForm(request.POST or None, instance=coupon)
    form.fields["customer"].queryset = visible_customers(request.user)
    if request.method == "POST":
        done = save_form(form, lambda data: services.save_coupon(coupon, **data))
        if done is not None:
            messages.success(request, _("Coupon %(code)s saved.") % {"code": done.code})
            return redirect("pricing:coupons")
    uses = (
        visible_uses(coupon, request.user).select_related(
            "customer", "quotation", "order", "invoice"
        )[:200]
        if coupon
        else []
    )
    return form_page(
        request,
        form,
        coupon.code if coupon else _("New coupon"),
        reverse("pricing:coupons"),
        record=coupon,
        after_form="pricing/coupon_uses.html",
        coupon=coupon,
        uses=uses,
    )


def coupon_generate(request):
    """Codes generated together, sharing their settings; their CSV to download."""
    form = CouponBatchForm(request.POST or None, initial={"active": True})
    form.fields["customer"].queryset = visible_customers(request.user)
    if request.method == "POST":

        def generate(data):
            data = dict(data)
            return services.generate_coupons(data.pop("prefix"), data.pop("count"), **data)

        made = save_form(form, generate)
        if made:
            campaign = made[0].campaign
            messages.success(
                request,
                ngettext(
                    "%(count)s code generated in the campaign %(campaign)s.",
                    "%(count)s codes generated in the campaign %(campaign)s.",
                    len(made),
                )
                % {"count": len(made), "campaign": campaign},
            )
            return redirect(f"{reverse('pricing:coupon_generate')}?{urlencode({'done': campaign})}")
    return form_page(
        request,
        form,
        _("Generate coupon codes"),
        reverse("pricing:coupons"),
        submit_label=_("Generate the codes"),
        after_form="pricing/coupon_batch_done.html",
        campaign=request.GET.get("done", ""),
    )


def coupon_codes_csv(request):
    """The codes of a campaign as a CSV file."""
    campaign = request.GET.get("campaign", "")
    rows = visible_coupons(request.user).filter(campaign=campaign).order_by("code")
    response = HttpResponse(coupons_csv(rows), content_type="text/csv; charset=utf-8")
    name = slugify(campaign) or "coupons"
    response["Content-Disposition"] = f'attachment; filename="codes-{name}.csv"'
    return response
