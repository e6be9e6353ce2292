"""Sending an issued invoice by e-mail, received by a real SMTP server on loopback."""

import email
import email.policy
import socket
from decimal import Decimal

import pytest
from aiosmtpd.controller import Controller

from comptoir.billing import services
from comptoir.billing.models import SentEmail
from comptoir.core.errors import BusinessError
from comptoir.core.models import MessageTemplate
from comptoir.pricing.engine import LineSpec
from tests.factories import CustomerFactory, ItemFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((envelope.rcpt_tos, message))
        return "250 OK"


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    with socket.socket() as probe:  # a free port on loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield inbox
    controller.stop()


@pytest.fixture
def invoice(company):
    customer = CustomerFactory(name='Client <script>alert("x")</script>', email="compta@client.fr")
    draft = services.create_invoice(customer, [LineSpec(ItemFactory(), Decimal("2"))])
    return services.issue_invoice(draft)


def test_the_invoice_arrives_with_its_factur_x(smtp, invoice, user):
    sent = services.send_invoice(invoice, to=["compta@client.fr"], by=user)
    ((recipients, message),) = smtp.messages
    assert recipients == ["compta@client.fr"]
    assert invoice.number in message["Subject"]
    text = message.get_body(("plain",)).get_content()
    assert invoice.number in text and "24,00" in text
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_filename() == f"{invoice.number}.pdf"
    content = attachment.get_content()
    from facturx import get_xml_from_pdf

    name, xml = get_xml_from_pdf(content, check_xsd=True)
    assert name == "factur-x.xml" and invoice.number.encode() in xml
    assert sent.to == "compta@client.fr" and SentEmail.objects.count() == 1


@pytest.mark.parametrize(
    ("language", "total"),
    [("fr", "d’un montant de 8 829,88 €, à régler"), ("en", "for €8,829.88, due")],
)
def test_the_message_writes_the_total_in_the_companys_language(company, settings, language, total):
    settings.LANGUAGE_CODE = language
    item = ItemFactory(sale_price=Decimal("7358.23"))  # 8 829,88 with VAT
    draft = services.create_invoice(CustomerFactory(), [LineSpec(item, Decimal("1"))])
    _subject, body = services.message_for(services.issue_invoice(draft))
    assert total in body.replace("\u00a0", " "), body


def test_the_message_template_is_editable(smtp, invoice):
    MessageTemplate.objects.create(
        kind="invoice", subject="Facture $number", body="Bonjour $customer, total $total. $unknown"
    )
    services.send_invoice(invoice, to=["a@b.fr"])
    ((_to, message),) = smtp.messages
    assert message["Subject"] == f"Facture {invoice.number}"
    body = message.get_body(("plain",)).get_content()
    assert '<script>alert("x")</script>' in body  # plain text: shown as it is, never run
    assert "$unknown" in body  # an unknown placeholder stays as written


def test_bad_addresses_drafts_and_a_down_server_are_clear_errors(invoice, settings, company):
    with pytest.raises(BusinessError, match="not an e-mail address"):
        services.send_invoice(invoice, to=["pas-une-adresse"])
    with pytest.raises(BusinessError, match="Give an e-mail address"):
        services.send_invoice(invoice, to=[" "])
    draft = services.create_invoice(invoice.customer, [LineSpec(ItemFactory(), Decimal("1"))])
    with pytest.raises(BusinessError, match="Only an issued document"):
        services.send_invoice(draft, to=["a@b.fr"])
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    with pytest.raises(BusinessError, match="could not be sent"):
        services.send_invoice(invoice, to=["a@b.fr"])
    assert not SentEmail.objects.exists()


def test_the_page_and_the_api_send(smtp, invoice, client, user, api):
    client.force_login(user)
    page = client.get(f"/invoices/{invoice.pk}/send/")
    assert page.status_code == 200 and b"compta@client.fr" in page.content
    response = client.post(
        f"/invoices/{invoice.pk}/send/",
        {
            "to": "compta@client.fr, copie@client.fr",
            "subject": "Votre facture",
            "body": "Ci-joint.",
        },
    )
    assert response.status_code == 302
    assert smtp.messages[0][0] == ["compta@client.fr", "copie@client.fr"]
    response = client.post(
        f"/invoices/{invoice.pk}/send/", {"to": "x", "subject": "s", "body": "b"}
    )
    assert response.status_code == 400  # the reason shows on the form; nothing is sent
    assert len(smtp.messages) == 1
    response = api.post(f"/invoices/{invoice.pk}/send", {})
    assert response.status_code == 200 and response.json()["to"] == "compta@client.fr"
    assert len(smtp.messages) == 2


def test_the_templates_are_edited_in_the_settings(client, user, company):
    client.force_login(user)
    assert client.get("/settings/messages/").status_code == 200
    response = client.post(
        "/settings/messages/credit_note/", {"subject": "Avoir $number", "body": "Voici $number."}
    )
    assert response.status_code == 302
    assert MessageTemplate.objects.get(kind="credit_note").subject == "Avoir $number"
    assert (
        client.post("/settings/messages/invoice/", {"subject": "", "body": ""}).status_code == 400
    )
    assert client.get("/settings/messages/quotation-x/").status_code == 404
