"""An issued document's PDF and XML are made once, stored with their SHA-256, and served as
stored ever after; a stored file altered on disk is refused, never served."""

import hashlib
from decimal import Decimal

import pytest

from comptoir.billing import services
from comptoir.billing.models import IssuedFile
from comptoir.pricing.engine import LineSpec
from tests.factories import CustomerFactory, ItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoice(company):
    draft = services.create_invoice(CustomerFactory(), [LineSpec(ItemFactory(), Decimal("2"))])
    return draft


def test_issuing_has_the_worker_store_the_files(
    invoice, django_capture_on_commit_callbacks, settings
):
    settings.COMPTOIR_STORE_FILES_AFTER_ISSUE = True  # as in production
    with django_capture_on_commit_callbacks(execute=True):
        issued = services.issue_invoice(invoice)
    files = IssuedFile.objects.get(invoice=issued)
    with files.pdf.open("rb") as pdf:
        assert hashlib.sha256(pdf.read()).hexdigest() == files.pdf_sha256
    assert files.xml_sha256 and issued.number in files.pdf.name


def test_downloads_serve_the_stored_original(invoice, client, user, api):
    issued = services.issue_invoice(invoice)
    client.force_login(user)
    first = client.get(f"/invoices/{issued.pk}/pdf/").content
    second = client.get(f"/invoices/{issued.pk}/pdf/").content
    assert first == second  # a new rendering would differ (it dates itself)
    assert api.get(f"/invoices/{issued.pk}/pdf").content == first
    files = IssuedFile.objects.get(invoice=issued)
    assert hashlib.sha256(first).hexdigest() == files.pdf_sha256
    assert client.get(f"/invoices/{issued.pk}/factur-x.xml").content == files.xml.open().read()


def test_an_altered_stored_file_is_refused(invoice, client, user, api):
    issued = services.issue_invoice(invoice)
    client.force_login(user)
    client.get(f"/invoices/{issued.pk}/pdf/")
    files = IssuedFile.objects.get(invoice=issued)
    with open(files.pdf.path, "ab") as pdf:  # behind the application's back
        pdf.write(b"%tampered")
    response = client.get(f"/invoices/{issued.pk}/pdf/")
    assert response.status_code == 302  # back to the invoice, with the message
    response = api.get(f"/invoices/{issued.pk}/pdf")
    assert response.status_code == 409 and response.json()["code"] == "document.file_altered"
