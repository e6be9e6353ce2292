"""A credit note of a whole invoice mirrors it: same lines, same VAT breakdown, same totals."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from comptoir.billing import services
from comptoir.core.services import update_company
from comptoir.pricing.engine import LineSpec
from comptoir.pricing.models import Tax
from tests.factories import CustomerFactory, ItemFactory

D = Decimal

line_strategy = st.tuples(
    st.decimals(min_value=D("0.001"), max_value=D("500"), places=3),
    st.decimals(min_value=D("0"), max_value=D("5000"), places=4),
    st.sampled_from([D("0"), D("7.5"), D("10")]),
    st.sampled_from(["TVA20", "TVA10", "TVA55", "TVA21", "TVA0"]),
)


class CreditNoteMirrorTest(TestCase):
    @settings(max_examples=25, deadline=None)
    @given(st.lists(line_strategy, min_size=1, max_size=6))
    def test_a_full_credit_note_mirrors_its_invoice(self, rows):
        update_company(legal_name="Test")
        taxes = {t.code: t for t in Tax.objects.all()}
        customer, item = CustomerFactory(), ItemFactory()
        specs = [
            LineSpec(item, qty, unit_price=price, discount_pct=disc, tax=taxes[code])
            for qty, price, disc, code in rows
        ]
        invoice = services.issue_invoice(services.create_invoice(customer, specs))
        credit_note = services.credit_invoice(invoice)
        for field in ("total_lines", "total_net", "total_vat", "total_gross", "vat_breakdown"):
            assert getattr(credit_note, field) == getattr(invoice, field), field
        assert [(line.quantity, line.net_amount) for line in credit_note.lines.all()] == [
            (line.quantity, line.net_amount) for line in invoice.lines.all()
        ]
