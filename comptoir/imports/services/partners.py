"""Import partners and their options."""

from django.db import transaction
from django.utils.translation import gettext as _

from comptoir.core.errors import BusinessError
from comptoir.core.models import Company
from comptoir.core.validation import full_clean_or_raise
from comptoir.imports.models import (
    Creates,
    ImportPartner,
)
from comptoir.imports.profiles import check_mapping

PARTNER_FIELDS = (  # in the order the partner's form shows them
    "name",
    "creates",
    "then",
    "strictness",
    "price_source",
    "unknown_customer",
    "unknown_item",
    "unknown_tax",
    "unknown_unit",
    "unknown_payment_method",
    "record_payments",
    "print_layout",
    "has_header",
    "mapping",
    "active",
)


def _check_orders_allowed(creates: str) -> None:
    if creates == Creates.ORDERS and not Company.get().stock_management:
        raise BusinessError(
            "import.orders_need_stock",
            _("Importing orders needs stock management: turn it on in the company settings."),
            "creates",
        )


# Partners ---------------------------------------------------------------------------------------


def save_partner(partner: ImportPartner | None = None, **fields) -> ImportPartner:
    with transaction.atomic():
        if partner is None:
            partner = ImportPartner()
        else:
            partner = ImportPartner.objects.select_for_update().get(pk=partner.pk)
        for name, value in fields.items():
            if name in PARTNER_FIELDS and value is not None:
                setattr(partner, name, value)
        _check_orders_allowed(partner.creates)
        problem = check_mapping(partner.mapping)
        if problem:
            raise BusinessError(
                "import.mapping",
                _("The column mapping is wrong: %(problem)s.") % {"problem": problem},
                "mapping",
            )
        full_clean_or_raise(partner)
        partner.save()
        return partner
