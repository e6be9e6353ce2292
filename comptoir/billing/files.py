"""The files of issued documents: made once (in the background after issuing, or at the first
download), stored with their SHA-256, then always served as stored, never made again."""

import hashlib

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from comptoir.billing.facturx import build_xml
from comptoir.billing.models import Invoice, IssuedFile
from comptoir.billing.pdf import render_facturx
from comptoir.core.errors import BusinessError


class AlteredFile(BusinessError):
    """A stored file no longer matches the SHA-256 recorded when it was made."""

    status_code = 409


def store_files(invoice: Invoice) -> IssuedFile:
    """The stored files of an issued document, made now if they are not yet."""
    found = IssuedFile.objects.filter(invoice=invoice).first()
    if found is not None:
        return found
    pdf, xml = render_facturx(invoice), build_xml(invoice)
    files = IssuedFile(
        invoice=invoice,
        pdf_sha256=hashlib.sha256(pdf).hexdigest(),
        xml_sha256=hashlib.sha256(xml).hexdigest(),
    )
    files.pdf.save(f"{invoice.number}.pdf", ContentFile(pdf), save=False)
    files.xml.save(f"{invoice.number}.xml", ContentFile(xml), save=False)
    try:
        with transaction.atomic():
            files.save()
    except IntegrityError:  # made at the same moment by another process: theirs stands
        files.pdf.delete(save=False)
        files.xml.delete(save=False)
        return IssuedFile.objects.get(invoice=invoice)
    return files


def read(files: IssuedFile, which: str) -> bytes:
    """The stored bytes, checked against their SHA-256."""
    field = getattr(files, which)
    with field.open("rb") as handle:
        content = handle.read()
    if hashlib.sha256(content).hexdigest() != getattr(files, f"{which}_sha256"):
        raise AlteredFile(
            "document.file_altered",
            _("The stored %(which)s of %(ref)s was altered: it no longer matches its SHA-256.")
            % {"which": which.upper(), "ref": files.invoice},
        )
    return content
