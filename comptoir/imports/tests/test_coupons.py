"""A partner file's « code_promo » column: the coupon's discount on the document and its use
recorded; a coupon used up, expired, unknown or for another customer is an anomaly of its
document, never a document priced without it."""

from datetime import date
from decimal import Decimal

from comptoir.billing.models import Invoice
from comptoir.imports.models import ImportRow
from comptoir.imports.tests.conftest import run
from comptoir.pricing.models import CouponRedemption
from comptoir.pricing.services import save_coupon
from tests.factories import CustomerFactory

HEADER = (
    "reference_partenaire;date_document;code_client;nom_client;adresse_facturation;"
    "code_postal_facturation;ville_facturation;code_article;quantite;prix_unitaire;code_promo"
)


def test_a_file_with_coupons_discounts_its_documents_or_says_why_not(partner):
    save_coupon(code="BIENVENUE10", name="Bienvenue", value=Decimal("10"), max_uses=1)
    save_coupon(code="NOEL", name="Noël", value=Decimal("5"), valid_to=date(2025, 12, 31))
    save_coupon(code="PERSO", name="Perso", value=Decimal("5"), customer=CustomerFactory())
    rows = [
        "P1;2026-03-15;;Dupont SARL;1 rue A;69003;Lyon;SAC;2;50;bienvenue10",  # 10 % off
        "P2;2026-03-15;;Martin SAS;2 rue B;69003;Lyon;SAC;1;50;BIENVENUE10",  # used up
        "P3;2026-03-15;;Petit SA;3 rue C;69003;Lyon;SAC;1;50;NOEL",  # expired
        "P4;2026-03-15;;Durand;4 rue D;69003;Lyon;SAC;1;50;PERSO",  # another customer's
        "P5;2026-03-15;;Leroy;5 rue E;69003;Lyon;SAC;1;50;NOPE",  # unknown
        "P6;2026-03-15;;Moreau;6 rue F;69003;Lyon;SAC;1;50;",  # none
    ]
    batch, report = run(partner, ("\n".join([HEADER, *rows]) + "\n").encode())
    assert report.documents_created == 2
    created = {i.customer_reference: i for i in Invoice.objects.all()}
    assert sorted(created) == ["P1", "P6"], [
        (r.reference, r.errors) for r in ImportRow.objects.filter(batch=batch)
    ]
    assert created["P1"].coupon_code == "BIENVENUE10"
    assert (created["P1"].total_lines, created["P1"].total_allowances) == (
        Decimal("100.00"),
        Decimal("10.00"),
    )
    assert CouponRedemption.objects.get().invoice == created["P1"]
    errors = {
        row.reference: " ".join(e["message"] for e in row.errors)
        for row in ImportRow.objects.filter(batch=batch, reference__in=["P2", "P3", "P4", "P5"])
    }
    assert errors == {
        "P2": "The coupon « BIENVENUE10 » is used up: none of its uses is left.",
        "P3": "The coupon « NOEL » expired on 12/31/2025.",
        "P4": "The coupon « PERSO » is for another customer.",
        "P5": "No coupon has the code « NOPE »: check the code.",
    }
