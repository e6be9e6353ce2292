"""Reading XML that comes from outside (a platform, a supplier, an upload) without trusting it.

No DTD, no entities, no network, no huge trees, within a size limit: an XML document that
declares a DTD can only serve to reach files (XXE) or to blow up memory with nested entities
(billion laughs), so one is refused rather than read. Callers turn ``UnsafeXml`` into their own
business error, in words about what they expected to read.
"""

from lxml import etree

TOO_LARGE, HOSTILE, MALFORMED = "too_large", "hostile", "malformed"

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
)


class UnsafeXml(Exception):
    """The XML was not read: ``kind`` is TOO_LARGE, HOSTILE or MALFORMED; ``detail`` says
    where the parser stopped, for a malformed one."""

    def __init__(self, kind: str, detail: str = "", line: int | None = None):
        super().__init__(detail or kind)
        self.kind = kind
        self.detail = detail
        self.line = line  # where the parser stopped, for a malformed one


def safe_root(xml: bytes, max_bytes: int):
    """The root element of ``xml``; UnsafeXml if it is too large, declares a DTD or entities,
    or is not well-formed."""
    if len(xml) > max_bytes:
        raise UnsafeXml(TOO_LARGE)
    if b"<!DOCTYPE" in xml or b"<!ENTITY" in xml:
        raise UnsafeXml(HOSTILE)
    try:
        tree = etree.fromstring(xml, _PARSER).getroottree()
    except etree.XMLSyntaxError as error:
        raise UnsafeXml(MALFORMED, str(error), error.lineno) from None
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:  # in another encoding
        raise UnsafeXml(HOSTILE)
    return tree.getroot()
