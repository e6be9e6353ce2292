"""`make examples`: the lifecycle messages (CDAR) Comptoir sends, in examples/out/.

As a buyer of a supplier invoice: approved (205), partially approved (206), disputed (207),
refused (210); as the seller of a paid invoice: payment received (212, with the amount received
per VAT rate). The tests check each against the CDAR XSD and the French CDV rules
(comptoir/einvoicing/tests/test_cdar.py).
"""

import os
import sys
from datetime import date, datetime
from decimal import Decimal

from comptoir.einvoicing.cdar import PARIS, Party, StatusAmount, buyer_decision, payment_received
from examples.facturx import OUT

# the seller of examples/facturx.py, and a customer
SELLER = Party(id="552100554", name="Atelier Test SARL", address="552100554_STATUTS")
BUYER = Party(id="732829320", name="Client Test SA", address="732829320")
INVOICE = {"invoice_number": "FA-2026-0042", "invoice_date": date(2026, 9, 14)}
AT = datetime(2026, 9, 20, 9, 30, tzinfo=PARIS)


def messages() -> dict:
    """Each message Comptoir sends, by name."""
    received_at = datetime(2026, 9, 14, 16, 5, tzinfo=PARIS)
    parties = {"seller": SELLER, "buyer": BUYER, "at": AT, **INVOICE}
    return {
        "cdar-205-approved": buyer_decision(205, **parties),
        "cdar-206-partially-approved": buyer_decision(
            206,
            reason_code="QTE_ERR",
            reason="2 cartons livrés sur 3",
            received_at=received_at,
            amounts=(StatusAmount("MAPTTC", Decimal("800.00")),),
            **parties,
        ),
        "cdar-207-disputed": buyer_decision(
            207, reason_code="PU_ERR", reason="Prix unitaire différent de la commande", **parties
        ),
        "cdar-210-refused": buyer_decision(
            210,
            reason_code="TX_TVA_ERR",
            reason="Taux de TVA erroné",
            received_at=received_at,
            **parties,
        ),
        "cdar-212-payment-received": payment_received(
            received={Decimal("20"): Decimal("1200.00"), Decimal("5.5"): Decimal("105.50")},
            received_at=received_at,
            **parties,
        ),
    }


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comptoir.settings")
    import django

    django.setup()
    from comptoir.einvoicing.cdar import write_cdar

    OUT.mkdir(exist_ok=True)
    written = messages()
    for name, message in written.items():
        (OUT / f"{name}.xml").write_bytes(write_cdar(message))
    print(f"{len(written)} lifecycle messages (CDAR) in {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
