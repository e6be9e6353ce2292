import datetime as dt
from decimal import Decimal

import pytest

from comptoir.billing.services import create_invoice, credit_invoice, issue_invoices
from comptoir.core.services import update_company
from comptoir.parties.services import create_customer
from comptoir.pricing.engine import LineSpec
from comptoir.pricing.models import Tax
from examples.facturx import GENEVE, MILANO, PARIS, catalogue

DAY1, DAY2 = dt.date(2026, 10, 5), dt.date(2026, 10, 6)


@pytest.fixture
def items(company):
    update_company(platform_id="0042")
    return catalogue()


@pytest.fixture
def people(company):
    def customer(name, **fields):
        return create_customer(name=name, email=f"{name.split()[0].lower()}@exemple.fr", **fields)

    return {
        "consumer": customer("Jeanne Martin", kind="individual", addresses=PARIS),
        "french": customer("Client Francais", siren="732829320", vat_id="FR44732829320",
                           addresses=PARIS),
        "italian": customer("Cliente Italia", vat_id="IT00743110157", addresses=MILANO,
                            default_tax=Tax.objects.get(code="INTRACOM")),
        "swiss": customer("Client Suisse", addresses=GENEVE,
                          default_tax=Tax.objects.get(code="EXPORT")),
    }  # fmt: skip


def issue(customer, specs, items, day, **header):
    lines = [LineSpec(item=items[key], quantity=Decimal(q)) for key, q in specs]
    return issue_invoices([create_invoice(customer, lines, **header)], day=day)[0]


@pytest.fixture
def sales(items, people):
    """Two days of sales: consumers (goods at two rates, a service), a French business (not
    reported), an Italian and a Swiss business; a consumer's credit note on the second day."""
    made = {
        "consumer-1": issue(people["consumer"], [("chair", 2), ("book", 1)], items, DAY1),
        "consumer-2": issue(people["consumer"], [("service", 1)], items, DAY1),
        "french": issue(people["french"], [("chair", 1)], items, DAY1),
        "italian": issue(people["italian"], [("chair", 12)], items, DAY1),
        "swiss": issue(people["swiss"], [("chair", 5), ("service", 1)], items, DAY2),
        "consumer-3": issue(people["consumer"], [("chair", 1)], items, DAY2),
    }
    credit = credit_invoice(made["consumer-1"], {made["consumer-1"].lines.first().pk: Decimal(1)})
    made["credit"] = issue_invoices([credit], day=DAY2)[0]
    return made
