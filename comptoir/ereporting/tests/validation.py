"""The project's own check of e-reporting files: the flux 10 XSD and the PPF's flux 10 rules,
both from ``comptoir/einvoicing/reference/``, run as the invoices' check runs its rules
(comptoir/billing/tests/validation.py)."""

from comptoir.billing.tests.validation import Failure, _schematron_failures
from comptoir.einvoicing.cdar import REFERENCE
from comptoir.ereporting.flux10 import xsd_errors

FLUX10_RULES = REFERENCE / "ppf-flux10-rules-1.0" / "PPF_Flux10_v1_0.xslt"


def validate_flux10(xml: bytes) -> list[Failure]:
    """Every rule this e-reporting file breaks: the XSD, then the flux 10 rules."""
    failures = [Failure("XSD", "XSD", "fatal", error) for error in xsd_errors(xml)]
    return failures + _schematron_failures("FLUX10", FLUX10_RULES, xml)
