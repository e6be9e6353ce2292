"""Changes to payment terms and terms-and-conditions templates."""

from django.db import transaction

from comptoir.core.validation import create_validated
from comptoir.pricing.models import PaymentTerms, TermsTemplate


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
