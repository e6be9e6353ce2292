"""Validation of official identifiers, delegated to python-stdnum and schwifty."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException
from stdnum import ean
from stdnum.eu import vat
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import siren, siret
from stdnum.util import clean


def _check(module, value: str, message) -> str:
    try:
        return module.validate(value)
    except StdnumError:
        raise ValidationError(message, code="invalid", params={"value": value}) from None


def validate_siren(value: str) -> None:
    _check(siren, value, _("“%(value)s” is not a valid SIREN number."))


def validate_siret(value: str) -> None:
    _check(siret, value, _("“%(value)s” is not a valid SIRET number."))


def validate_vat_id(value: str) -> None:
    _check(vat, value, _("“%(value)s” is not a valid intra-community VAT number."))


def validate_barcode(value: str) -> None:
    _check(ean, value, _("“%(value)s” is not a valid EAN barcode (8, 12, 13 or 14 digits)."))


def validate_iban(value: str) -> None:
    try:
        IBAN(value)
    except SchwiftyException:
        raise ValidationError(
            _("“%(value)s” is not a valid IBAN."), params={"value": value}
        ) from None


def validate_bic(value: str) -> None:
    try:
        BIC(value)
    except SchwiftyException:
        raise ValidationError(
            _("“%(value)s” is not a valid BIC."), params={"value": value}
        ) from None


def _compact(module, value: str) -> str:
    """The number without spaces or dots; an invalid one is left for validation to report."""
    if not value:
        return ""
    try:
        return module.compact(value)
    except StdnumError:
        return value.strip()


def compact_siren(value: str) -> str:
    return _compact(siren, value)


def compact_siret(value: str) -> str:
    return _compact(siret, value)


def compact_platform_id(value: str) -> str:
    """An approved platform's number (its matricule) typed with spaces or dashes, compact."""
    return clean(value or "", " -.").strip().upper()


def validate_platform_id(value: str) -> None:
    """An approved platform's number: 4 letters or digits, as the DGFiP gives it."""
    if not (len(value) == 4 and value.isascii() and value.isalnum()):
        raise ValidationError(
            _(
                "“%(value)s” is not an approved platform's number: it has 4 letters or digits, "
                "for instance 0042."
            ),
            code="invalid",
            params={"value": value[:40]},
        )


def compact_vat_id(value: str) -> str:
    return _compact(vat, value)


def compact_iban(value: str) -> str:
    return IBAN(value, allow_invalid=True).compact if value else ""
