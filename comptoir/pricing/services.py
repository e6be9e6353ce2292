"""Changes to taxes, payment terms, terms-and-conditions templates and shipping rules."""

from collections.abc import Callable

from django.db import transaction
from django.utils.translation import gettext as _

from comptoir.core.errors import BusinessError, InUse
from comptoir.core.models import Company
from comptoir.core.validation import create_validated, delete_or_refuse, full_clean_or_raise
from comptoir.pricing.errors import PricingError
from comptoir.pricing.models import (
    FRANCHISE,
    PaymentTerms,
    ShippingMethod,
    ShippingRule,
    ShippingZone,
    Tax,
    TermsTemplate,
)

TAX_FIELDS = {
    "code",
    "name",
    "rate",
    "category",
    "exemption_reason",
    "exemption_reason_code",
    "account",
    "active",
}
# Whether a tax is stated on an issued document: each app issuing documents registers its
# check (billing: its issued invoices), as this app sits below them.
TAX_USES: list[Callable[[Tax], bool]] = []


def tax_is_issued(tax: Tax) -> bool:
    return any(check(tax) for check in TAX_USES)


def refuse_franchise(tax: Tax, field: str) -> None:
    """The small-business franchise (art. 293 B du CGI) is for a seller without a VAT number:
    on the invoice of a VAT-registered seller its mention would be false."""
    if tax.is_franchise and Company.get().vat_id:
        raise BusinessError(
            PricingError.FRANCHISE_WITH_VAT_ID,
            _(
                "The VAT franchise (art. 293 B du CGI) is only for a company without a VAT "
                "number, and yours has one (Settings, Company): choose another tax."
            ),
            field,
        )


def refuse_unusable_tax(tax: Tax, field: str) -> None:
    """A tax given to a new line or an item: an active one, and the franchise only to a
    company without a VAT number."""
    if not tax.active:
        raise BusinessError(
            PricingError.TAX_ARCHIVED,
            _("The tax « %(name)s » is archived: choose another.") % {"name": tax.name},
            field,
        )
    refuse_franchise(tax, field)


def refuse_franchise_on(invoice) -> None:
    """Issuing: a draft priced with the franchise before the company had a VAT number is
    refused too (a credit note reverses what its invoice stated, and may state it)."""
    stated = {group.get("exemption_reason_code") for group in invoice.vat_breakdown}
    if FRANCHISE in stated and invoice.kind != "credit_note":
        refuse_franchise(Tax(exemption_reason_code=FRANCHISE), "lines")


def save_tax(tax: Tax | None = None, **fields) -> Tax:
    """Create or change a tax. Its rate and category, once stated on an issued invoice, stay
    as they are: issued invoices keep what they said; archive the tax and create another."""
    with transaction.atomic():
        tax = Tax() if tax is None else Tax.objects.select_for_update().get(pk=tax.pk)
        before = (tax.rate, tax.category)
        for name, value in fields.items():
            if name in TAX_FIELDS:
                setattr(tax, name, value)
        full_clean_or_raise(tax)
        if tax.pk and (tax.rate, tax.category) != before and tax_is_issued(tax):
            raise InUse(
                PricingError.TAX_IN_USE,
                _(
                    "« %(name)s » is stated on issued invoices: its rate and category cannot "
                    "change. Archive it and create a new tax."
                )
                % {"name": tax.name},
                "rate" if tax.rate != before[0] else "category",
            )
        if tax.active:
            refuse_franchise(tax, "exemption_reason_code")
        tax.save()
        return tax


def delete_tax(tax: Tax) -> None:
    with transaction.atomic():
        delete_or_refuse(
            tax,
            PricingError.TAX_IN_USE,
            _("« %(name)s » is used by documents, items or customers: archive it instead.")
            % {"name": tax.name},
        )


def create_payment_terms(**fields) -> PaymentTerms:
    with transaction.atomic():
        return create_validated(PaymentTerms, **fields)


def create_terms_template(**fields) -> TermsTemplate:
    """A template; marking it as the default for a kind of document unmarks the previous one."""
    with transaction.atomic():
        for flag in ("default_for_quotations", "default_for_invoices"):
            if fields.get(flag):
                TermsTemplate.objects.filter(**{flag: True}).update(**{flag: False})
        return create_validated(TermsTemplate, **fields)


# Shipping methods, zones and rules ---------------------------------------------------------------

SHIPPING_FIELDS = {
    ShippingMethod: {"code", "name", "carrier", "tax", "item", "active"},
    ShippingZone: {"code", "name", "country", "postal_prefixes"},
    ShippingRule: {
        "method",
        "country",
        "zone",
        "weight_over",
        "weight_up_to",
        "amount_from",
        "amount_below",
        "charge",
        "charge_per_kg",
        "priority",
        "active",
    },
}


def save_shipping(model, row=None, **fields):
    """Create or change a shipping method, zone or rule (the documents already priced keep
    their charge; a draft gets the new one when it is priced again)."""
    with transaction.atomic():
        row = model() if row is None else model.objects.select_for_update().get(pk=row.pk)
        for name, value in fields.items():
            if name in SHIPPING_FIELDS[model]:
                setattr(row, name, value)
        full_clean_or_raise(row)
        if model is ShippingMethod and "tax" in fields and row.tax_id:
            refuse_unusable_tax(row.tax, "tax")
        row.save()
        return row


def delete_shipping(row) -> None:
    with transaction.atomic():
        delete_or_refuse(
            row,
            PricingError.SHIPPING_IN_USE,
            _("« %(name)s » is used by documents or rules: switch it off instead.") % {"name": row},
        )
