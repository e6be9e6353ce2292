"""The project's own check of lifecycle messages (CDAR), for the tests: the CDAR D22B XSD and
the French CDV rules (BR-FR-CDV 1.4.0.03), both from ``comptoir/einvoicing/reference/``, run
with the same machinery as the invoices' check (comptoir/billing/tests/validation.py)."""

from lxml import etree

from comptoir.billing.tests.validation import SAFE_PARSER, Failure, _schematron_failures
from comptoir.einvoicing.cdar import REFERENCE, xsd_errors

CDV_RULES = (
    REFERENCE / "afnor-br-fr-cdv-1.4.0.03" / "20260804_BR-FR-CDV-Schematron-CDAR_V1.4.0.03.xslt"
)


def validate_cdar(xml: bytes) -> list[Failure]:
    """Every rule this lifecycle message breaks: the XSD, then the French CDV rules."""
    try:
        root = etree.fromstring(xml, SAFE_PARSER)
    except etree.XMLSyntaxError as error:
        return [Failure("XML", "XML", "fatal", f"not well-formed: {error}")]
    failures = [Failure("XSD", "XSD", "fatal", error) for error in xsd_errors(root)]
    return failures + _schematron_failures("BR-FR-CDV", CDV_RULES, xml)
