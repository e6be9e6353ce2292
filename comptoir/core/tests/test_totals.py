"""Properties of the one totals function (EN 16931)."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from comptoir.core.money import round_amount
from comptoir.core.totals import AllowanceCharge, LineInput, compute

D = Decimal
RATES = [("S", D("20")), ("S", D("10")), ("S", D("5.5")), ("S", D("2.1")), ("Z", D("0"))]

lines_strategy = st.lists(
    st.builds(
        lambda q, p, d, r: LineInput(
            quantity=q, unit_price=p, discount_pct=d, vat_category=r[0], vat_rate=r[1]
        ),
        st.decimals(min_value=D("0.001"), max_value=D("10000"), places=3),
        st.decimals(min_value=D("0"), max_value=D("100000"), places=4),
        st.sampled_from([D("0"), D("5"), D("12.5"), D("33.33"), D("100")]),
        st.sampled_from(RATES),
    ),
    min_size=1,
    max_size=12,
)


@given(lines_strategy)
def test_totals_are_the_sum_of_their_parts(lines):
    totals = compute(lines)
    assert totals.total_lines == sum(a.net_amount for a in totals.lines)
    assert totals.tax_basis == sum(g.taxable_amount for g in totals.vat_breakdown)
    assert totals.total_vat == sum(g.tax_amount for g in totals.vat_breakdown)
    assert totals.total_with_vat == totals.tax_basis + totals.total_vat
    assert totals.amount_due == totals.total_with_vat
    for amounts in totals.lines:
        assert amounts.net_amount == round_amount(amounts.net_amount)


@given(lines_strategy)
def test_vat_is_rounded_once_per_rate(lines):
    totals = compute(lines)
    keys = {(line.vat_category, line.vat_rate) for line in lines}
    assert len(totals.vat_breakdown) == len(keys)
    for group in totals.vat_breakdown:
        taxable = sum(
            a.net_amount
            for line, a in zip(lines, totals.lines, strict=True)
            if (line.vat_category, line.vat_rate) == (group.category, group.rate)
        )
        assert group.taxable_amount == taxable
        assert group.tax_amount == round_amount(taxable * group.rate / 100)


@given(lines_strategy)
def test_a_full_credit_note_mirrors_its_invoice(lines):
    """A credit note copies the invoice lines: its totals are the invoice's, line by line."""
    invoice = compute(lines)
    credit = compute([LineInput(**vars(line)) for line in lines])
    assert credit == invoice


def test_rounding_happens_once_per_breakdown_not_per_line():
    # Three lines of 0.05 at 10 %: per line the VAT would be 3 × 0.01 = 0.03 (0.005 rounded up);
    # on the sum it is round(0.15 × 10 %) = 0.02.
    lines = [LineInput(D("1"), D("0.05"), "S", D("10")) for _ in range(3)]
    totals = compute(lines)
    assert totals.total_vat == D("0.02")
    assert totals.total_with_vat == D("0.17")


def test_line_discount_and_document_charges():
    lines = [
        LineInput(D("3"), D("19.99"), "S", D("20"), discount_pct=D("15")),
        LineInput(D("1"), D("100"), "S", D("5.5")),
    ]
    shipping = AllowanceCharge(D("8.50"), "S", D("20"), is_charge=True, reason="Port")
    rebate = AllowanceCharge(D("10.00"), "S", D("5.5"), reason="Remise fidélité")
    totals = compute(lines, [shipping, rebate], prepaid=D("50"))
    # 3 × 19.99 = 59.97; 15 % = 9.00 (8.9955 rounded); net 50.97
    assert [a.net_amount for a in totals.lines] == [D("50.97"), D("100.00")]
    assert totals.total_charges == D("8.50") and totals.total_allowances == D("10.00")
    assert totals.tax_basis == D("149.47")
    groups = {(g.rate): (g.taxable_amount, g.tax_amount) for g in totals.vat_breakdown}
    assert groups[D("20")] == (D("59.47"), D("11.89"))
    assert groups[D("5.5")] == (D("90.00"), D("4.95"))
    assert totals.total_with_vat == D("166.31")
    assert totals.amount_due == D("116.31")
