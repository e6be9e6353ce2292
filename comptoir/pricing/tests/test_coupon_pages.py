"""The coupon pages: list with uses left, form with its errors, switched off, uses, a batch
generated with its CSV; the coupon field of the document form and its live preview."""

from decimal import Decimal

import pytest
from django.urls import reverse

from comptoir.pricing.engine import LineSpec
from comptoir.pricing.models import Coupon
from comptoir.pricing.services import save_coupon
from comptoir.sales.models import Quotation
from comptoir.sales.services import create_quotation
from tests.factories import CustomerFactory, ItemFactory

pytestmark = pytest.mark.django_db
NBSP = "\u00a0"


@pytest.fixture
def logged(client, user):
    client.force_login(user)
    return client


def test_the_list_shows_the_uses_left_and_the_form_saves_and_switches_off(logged, company):
    item = ItemFactory(sale_price=Decimal("100"))
    coupon = save_coupon(code="RENTREE", name="Rentrée", value=Decimal("10"), max_uses=5)
    create_quotation(
        CustomerFactory(name="Dupont"), [LineSpec(item, Decimal("1"))], coupon_code="RENTREE"
    )
    page = logged.get(reverse("pricing:coupons")).content.decode()
    assert "RENTREE" in page and "Générer des codes" in page
    detail = logged.get(reverse("pricing:coupon", args=[coupon.pk])).content.decode()
    assert f"Utilisations{NBSP}: 1, restantes{NBSP}: 4." in detail
    assert "Dupont" in detail
    posted = logged.post(
        reverse("pricing:coupon", args=[coupon.pk]),
        {
            "code": "rentree",
            "name": "Rentrée",
            "reward": "percent",
            "value": "10",
            "max_uses": "5",
            "active": "",
        },
    )
    assert posted.status_code == 302
    assert Coupon.objects.get().active is False
    bad = logged.post(
        reverse("pricing:coupon_new"),
        {"code": "AUTRE", "name": "Autre", "reward": "percent", "value": "150"},
    )
    assert bad.status_code == 400
    assert "Un pourcentage est compris entre 0 et 100." in bad.content.decode()


def test_a_batch_is_generated_and_its_codes_downloaded(logged, company):
    made = logged.post(
        reverse("pricing:coupon_generate"),
        {
            "prefix": "noel-",
            "count": "12",
            "name": "Noël",
            "reward": "amount",
            "value": "5",
            "active": "on",
        },
    )
    assert made.status_code == 302, made.content.decode()
    page = logged.get(made["Location"]).content.decode()
    assert "Télécharger les codes de NOEL-" in page
    csv = logged.get(reverse("pricing:coupon_codes_csv") + "?campaign=NOEL-")
    lines = csv.content.decode().splitlines()
    assert len(lines) == 13 and all(line.startswith("NOEL-") for line in lines[1:])


def test_the_document_form_applies_a_code_and_says_why_one_is_refused(logged, company):
    ItemFactory(code="CHAISE", sale_price=Decimal("100"))
    customer = CustomerFactory(code="C1")
    save_coupon(code="BIENVENUE10", name="Bienvenue", value=Decimal("10"))
    save_coupon(code="FINI", name="Fini", value=Decimal("10"), active=False)
    url = reverse("sales:quotation_new")
    data = {
        "customer": customer.code,
        "date": "2026-12-07",
        "lines-0-item": "CHAISE",
        "lines-0-quantity": "2",
        "coupon_code": "bienvenue10",
    }
    preview = logged.post(url, data, HTTP_HX_REQUEST="true").content.decode()
    assert f"Code promo BIENVENUE10{NBSP}: 20,00{NBSP}€ de remise" in preview
    refused = logged.post(url, {**data, "coupon_code": "fini"}, HTTP_HX_REQUEST="true")
    assert "Le code promo « FINI » est désactivé." in refused.content.decode().replace(NBSP, " ")
    saved = logged.post(url, {**data, "save": "1"})
    assert saved.status_code == 302
    quotation = Quotation.objects.get()
    assert (quotation.coupon_code, quotation.total_allowances) == ("BIENVENUE10", Decimal("20"))
    refused = logged.post(url, {**data, "coupon_code": "fini", "save": "1"})
    assert refused.status_code == 400 and Quotation.objects.count() == 1


def test_the_history_says_a_percentage_or_an_amount_as_the_coupon_gives(logged, company):
    coupon = save_coupon(code="ETE", name="Été", value=Decimal("10"))
    save_coupon(coupon, value=Decimal("12.5"))
    save_coupon(coupon, reward="amount", value=Decimal("15"))
    page = logged.get(reverse("pricing:coupon", args=[coupon.pk])).content.decode()
    history = page[page.index('id="history"') :]
    assert f"<del>10{NBSP}%</del> → 12,5{NBSP}%" in history
    assert f"<del>12,5{NBSP}%</del> → 15,00{NBSP}€" in history
