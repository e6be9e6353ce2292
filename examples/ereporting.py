"""`make examples`: the e-reporting files (flux 10) of a month of sales, in examples/out/.

Consumer sales (goods at two rates, a service, a credit note) and sales to an Italian and a
Swiss business, then payments, made through the services in a scratch database; the sales and
payments reports of the month as the e-reporting service prepares them. The tests check the
same files against the flux 10 XSD and rules (comptoir/ereporting/tests/test_flux10.py).
"""

import os
import sys
import tempfile
from datetime import date
from decimal import Decimal

from examples.facturx import GENEVE, MILANO, OUT, PARIS, catalogue, seller

DAYS = [date(2026, 9, 2), date(2026, 9, 14), date(2026, 9, 25)]


def make_sales(items) -> None:
    from comptoir.billing.services import create_invoice, credit_invoice, issue_invoices
    from comptoir.parties.services import create_customer
    from comptoir.payments.services import register_payment
    from comptoir.pricing.engine import LineSpec
    from comptoir.pricing.models import Tax

    def issue(customer, specs, day):
        lines = [LineSpec(item=items[key], quantity=Decimal(q)) for key, q in specs]
        return issue_invoices([create_invoice(customer, lines)], day=day)[0]

    consumer = create_customer(name="Jeanne Martin", kind="individual", addresses=PARIS)
    italian = create_customer(
        name="Cliente Italia",
        vat_id="IT00743110157",
        addresses=MILANO,
        default_tax=Tax.objects.get(code="INTRACOM"),
    )
    swiss = create_customer(name="Client Suisse", addresses=GENEVE,
                            default_tax=Tax.objects.get(code="EXPORT"))  # fmt: skip
    goods = issue(consumer, [("chair", 2), ("book", 1)], DAYS[0])
    service = issue(consumer, [("service", 1)], DAYS[0])
    issue(italian, [("chair", 12)], DAYS[1])
    issue(swiss, [("chair", 5), ("service", 1)], DAYS[1])
    issue_invoices([credit_invoice(goods, {goods.lines.first().pk: Decimal(1)})], day=DAYS[2])
    register_payment(consumer, service.total_gross, date=DAYS[2],
                     allocations=[(service, service.total_gross)])  # fmt: skip


def main() -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/examples.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "comptoir.settings"
    import django

    django.setup()
    from django.core.management import call_command

    from comptoir.core.services import update_company
    from comptoir.ereporting.services import file_to_send, prepare_report

    call_command("migrate", verbosity=0)
    seller()
    update_company(vat_regime="simplified", platform_id="0042")
    make_sales(catalogue())
    OUT.mkdir(exist_ok=True)
    for kind in ("transactions", "payments"):
        name, content, _sha256 = file_to_send(prepare_report(kind, DAYS[0]))
        (OUT / name).write_bytes(content)
    print(f"2 e-reporting files (flux 10) in {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
