"""Document allowances and charges given as a percentage (EN 16931 BT-94/BT-101 of BT-93/BT-100):
the one totals function states their base and amount, per VAT group."""

from decimal import Decimal

import pytest
from django.utils import translation

from comptoir.core.errors import BusinessError
from comptoir.core.totals import AllowanceCharge, LineInput, compute

D = Decimal


def line(quantity, price, rate="20", category="S", discount="0"):
    return LineInput(D(quantity), D(price), category, D(rate), discount_pct=D(discount))


def percent(pct, rate=None, *, charge=False, reason="Remise"):
    return AllowanceCharge(
        amount=None,
        vat_category="S" if rate else "",
        vat_rate=D(rate) if rate else None,
        is_charge=charge,
        reason=reason,
        percent=D(pct),
    )


# (lines, allowances/charges, [(rate, base, percent, amount, is_charge) stated], tax basis, VAT)
CASES = {
    "one rate, 10 %": (
        [line("2", "50")],
        [percent("10")],
        [("20", "100.00", "10", "10.00", False)],
        "90.00",
        "18.00",
    ),
    "two VAT groups, 5 % on the whole document": (
        [line("3", "33.33"), line("1", "21.10", rate="5.5")],
        [percent("5")],
        [("20", "99.99", "5", "5.00", False), ("5.5", "21.10", "5", "1.06", False)],
        "115.03",
        "20.10",  # 20 % of 94.99 = 19.00 (18.998); 5.5 % of 20.04 = 1.10 (1.1022)
    ),
    "half a cent rounds up": (
        [line("1", "0.10")],
        [percent("5")],  # 0.005
        [("20", "0.10", "5", "0.01", False)],
        "0.09",
        "0.02",
    ),
    "just under half a cent rounds down": (
        [line("1", "0.09")],
        [percent("5")],  # 0.0045
        [("20", "0.09", "5", "0.00", False)],
        "0.09",
        "0.02",
    ),
    "the base is the lines after their own discount": (
        [line("10", "45", discount="12.5")],  # 393.75
        [percent("2.5")],  # 9.84375
        [("20", "393.75", "2.5", "9.84", False)],
        "383.91",
        "76.78",
    ),
    "a percentage on one VAT group only": (
        [line("1", "100"), line("1", "100", rate="5.5")],
        [percent("10", rate="5.5")],
        [("5.5", "100.00", "10", "10.00", False)],
        "190.00",
        "24.95",  # 20.00 + 4.95
    ),
    "a percentage charge beside an amount allowance": (
        [line("4", "25")],
        [
            percent("3", rate="20", charge=True, reason="Frais de dossier"),
            AllowanceCharge(D("7"), "S", D("20"), reason="Geste commercial"),
        ],
        [("20", "100.00", "3", "3.00", True), ("20", None, None, "7.00", False)],
        "96.00",
        "19.20",
    ),
    "100 % leaves nothing to pay": (
        [line("1", "12.34"), line("2", "1.5", rate="10")],
        [percent("100")],
        [("20", "12.34", "100", "12.34", False), ("10", "3.00", "100", "3.00", False)],
        "0.00",
        "0.00",
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_a_percentage_is_stated_with_its_base_and_amount_per_vat_group(name):
    lines, given, stated, basis, vat = CASES[name]
    totals = compute(lines, given)
    assert [
        (
            f"{a.vat_rate.normalize():f}",
            None if a.base is None else str(a.base),
            None if a.percent is None else f"{a.percent.normalize():f}",
            str(a.amount),
            a.is_charge,
        )
        for a in totals.allowances_charges
    ] == stated
    assert (str(totals.tax_basis), str(totals.total_vat)) == (basis, vat)
    # Every total reads the stated amounts: allowances, charges, VAT groups.
    allowances = [a.amount for a in totals.allowances_charges if not a.is_charge]
    charges = [a.amount for a in totals.allowances_charges if a.is_charge]
    assert totals.total_allowances == sum(allowances, D("0"))
    assert totals.total_charges == sum(charges, D("0"))
    assert totals.tax_basis == sum((g.taxable_amount for g in totals.vat_breakdown), D("0"))


def test_a_percentage_on_a_vat_rate_no_line_has_is_refused():
    with pytest.raises(BusinessError) as refused:
        compute([line("1", "10")], [percent("5", rate="5.5")])
    assert refused.value.field == "allowances_charges.0.tax"


@pytest.mark.parametrize("pct", ["-1", "100.01"])
def test_a_percentage_outside_0_to_100_is_refused(pct):
    with pytest.raises(BusinessError) as refused:
        compute([line("1", "10")], [percent(pct)])
    assert refused.value.field == "allowances_charges.0.percent"


def test_the_stored_rows_keep_the_percentage_and_read_back_as_given():
    """Stored, a percentage on the whole document is one row per VAT group; read back, it is
    one percentage again, which new lines of another VAT rate get too. Old rows (an amount,
    no percentage) stay as they were."""
    from comptoir.core.documents import given_allowances_charges, stored_allowances_charges

    old = {"amount": "9.90", "is_charge": True, "reason": "Port", "vat_category": "S",
           "vat_rate": "20.00", "from_rule": "PORT"}  # fmt: skip
    rows = [{"percent": "5", "reason": "Remise"}, old]
    given = given_allowances_charges(rows)
    totals = compute([line("1", "100"), line("1", "50", rate="5.5")], [g for g, _r in given])
    stored = stored_allowances_charges(given, totals)
    assert stored == [
        {"percent": "5", "reason": "Remise", "amount": "5.00", "base": "100.00",
         "is_charge": False, "vat_category": "S", "vat_rate": "20", "every_vat_group": True},
        {"percent": "5", "reason": "Remise", "amount": "2.50", "base": "50.00",
         "is_charge": False, "vat_category": "S", "vat_rate": "5.5", "every_vat_group": True},
        old,
    ]  # fmt: skip
    again = given_allowances_charges(stored)
    assert [g for g, _r in again] == [g for g, _r in given]
    more = compute(
        [line("1", "100"), line("1", "50", rate="5.5"), line("1", "10", rate="10")],
        [g for g, _r in again],
    )
    assert [str(a.amount) for a in more.allowances_charges] == ["5.00", "0.50", "2.50", "9.90"]


def test_a_discount_above_the_lines_of_its_vat_rate_is_refused():
    """A negative VAT base would state negative VAT on an invoice that charges."""
    lines = [
        LineInput(Decimal("10"), Decimal("118.80"), "S", Decimal("5.5")),
        LineInput(Decimal("1"), Decimal("500"), "S", Decimal("20")),
    ]
    fits = AllowanceCharge(Decimal("1188"), "S", Decimal("5.5"))
    assert compute(lines, [fits]).vat_breakdown[1].taxable_amount == Decimal("0")
    too_much = AllowanceCharge(Decimal("1234.56"), "S", Decimal("5.5"))
    with pytest.raises(BusinessError) as refused, translation.override("fr"):
        compute(lines, [too_much])
    assert refused.value.code == "allowances.above_lines"
    assert refused.value.field == "allowances_charges"
    assert "1\u00a0188,00\u00a0€" in refused.value.message
