"""The one computation of document totals, following EN 16931.

line net = round(quantity × unit price − line allowance, 2), the allowance being the line's
discount percentage of quantity × unit price, rounded to 2 places;
VAT breakdown per (category, rate) on the sum of the taxable amounts of that group (line nets,
less document allowances, plus document charges of that group), VAT rounded once per group;
tax basis = Σ line nets − Σ allowances + Σ charges; total VAT = Σ group VAT;
total with VAT = tax basis + total VAT; amount due = total with VAT − prepaid.

A document allowance or charge is an amount (BT-92 / BT-99), or a percentage (BT-94 / BT-101) of
a base (BT-93 / BT-100): the base is the sum of the line net amounts of its VAT category and rate
(EN 16931 gives each allowance one VAT category; down payments taken off a final invoice are left
out), and its amount round(base × percentage / 100, 2), computed here and nowhere else. The base
is the lines only: other allowances and charges of the document do not change it. A percentage
without a VAT category applies to the whole document: it becomes one allowance (or charge) per
VAT group of the lines, each with the base of its group, in the order of the VAT breakdown.

Everything else (forms, API, PDFs, Factur-X, reports) reads what this computed and services stored.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.utils.translation import gettext as _

from comptoir.core.errors import CoreError, InvalidInput, OutOfRange
from comptoir.core.money import (
    HUNDRED,
    MAX_AMOUNT,
    ZERO,
    format_amount,
    format_quantity,
    round_amount,
)


@dataclass(frozen=True)
class LineInput:
    quantity: Decimal
    unit_price: Decimal
    vat_category: str
    vat_rate: Decimal
    discount_pct: Decimal = Decimal("0")
    exemption_reason: str = ""
    exemption_code: str = ""  # VATEX (BT-121)
    # In the base of a document allowance or charge given as a percentage (not a down
    # payment taken off a final invoice).
    in_percentage_base: bool = True


@dataclass(frozen=True)
class AllowanceCharge:
    """A document-level allowance (discount) or charge (e.g. shipping), excluding VAT.

    Given as an ``amount``, or as a ``percent`` (``amount`` None): then ``compute`` states it
    with its ``base`` and ``amount``. A percentage with no ``vat_category`` is on every VAT
    group of the lines."""

    amount: Decimal | None
    vat_category: str
    vat_rate: Decimal | None
    is_charge: bool = False
    reason: str = ""
    percent: Decimal | None = None
    base: Decimal | None = None

    @property
    def on_every_vat_group(self) -> bool:
        return self.percent is not None and not self.vat_category


@dataclass(frozen=True)
class VatGroup:
    category: str
    rate: Decimal
    taxable_amount: Decimal
    tax_amount: Decimal
    exemption_reason: str = ""
    exemption_code: str = ""

    def as_json(self) -> dict:
        stated = {
            "category": self.category,
            "rate": str(self.rate),
            "taxable_amount": str(self.taxable_amount),
            "tax_amount": str(self.tax_amount),
            "exemption_reason": self.exemption_reason,
        }
        if self.exemption_code:
            stated["exemption_reason_code"] = self.exemption_code
        return stated


@dataclass(frozen=True)
class LineAmounts:
    allowance: Decimal
    net_amount: Decimal


@dataclass(frozen=True)
class Totals:
    lines: list[LineAmounts]
    vat_breakdown: list[VatGroup]
    total_lines: Decimal
    total_allowances: Decimal
    total_charges: Decimal
    tax_basis: Decimal
    total_vat: Decimal
    total_with_vat: Decimal
    prepaid: Decimal
    amount_due: Decimal
    extras: dict = field(default_factory=dict)
    # The document allowances and charges as stated: each with its amount (and its base when
    # given as a percentage), one per VAT group for a percentage on the whole document;
    # ``allowance_sources`` gives, for each, the index of the one given that it comes from.
    allowances_charges: list[AllowanceCharge] = field(default_factory=list)
    allowance_sources: list[int] = field(default_factory=list)


def line_amounts(line: LineInput) -> LineAmounts:
    gross = line.quantity * line.unit_price
    allowance = round_amount(gross * line.discount_pct / HUNDRED) if line.discount_pct else ZERO
    return LineAmounts(allowance=allowance, net_amount=round_amount(gross - allowance))


def lines_net_amount(lines) -> Decimal:
    """The lines' net total excluding VAT, as ``compute`` reckons it (a threshold's amount)."""
    return sum((line_amounts(line.totals_input()).net_amount for line in lines), ZERO)


def compute(
    lines: Sequence[LineInput],
    allowances_charges: Iterable[AllowanceCharge] = (),
    prepaid: Decimal = ZERO,
) -> Totals:
    amounts = [line_amounts(line) for line in lines]
    for index, amount in enumerate(amounts):
        _check_fits(amount.net_amount, f"lines.{index}.quantity")
    groups: dict[tuple[str, Decimal], Decimal] = {}
    # One breakdown per category and rate (EN 16931 BR-E-01…): the distinct reasons of its
    # lines are stated together, the first VATEX code is its code.
    reasons: dict[tuple[str, Decimal], list[str]] = {}
    codes: dict[tuple[str, Decimal], str] = {}
    bases: dict[tuple[str, Decimal], Decimal] = {}  # of the percentages, by VAT group
    for line, amount in zip(lines, amounts, strict=True):
        key = (line.vat_category, Decimal(line.vat_rate))
        groups[key] = groups.get(key, ZERO) + amount.net_amount
        if line.in_percentage_base:
            bases[key] = bases.get(key, ZERO) + amount.net_amount
        stated = reasons.setdefault(key, [])
        if line.exemption_reason and line.exemption_reason not in stated:
            stated.append(line.exemption_reason)
        if line.exemption_code and not codes.get(key):
            codes[key] = line.exemption_code
    allowances, sources = state_allowances_charges(allowances_charges, bases)
    lines_only = dict(groups)
    total_allowances = total_charges = ZERO
    for item in allowances:
        key = (item.vat_category, Decimal(item.vat_rate))
        amount = item.amount
        groups[key] = groups.get(key, ZERO) + (amount if item.is_charge else -amount)
        if item.is_charge:
            total_charges += amount
        else:
            total_allowances += amount
    _refuse_negative_bases(groups, lines_only)
    breakdown = [
        VatGroup(
            category=category,
            rate=rate,
            taxable_amount=taxable,
            tax_amount=round_amount(taxable * rate / HUNDRED),
            exemption_reason=" ; ".join(reasons.get((category, rate), [])),
            exemption_code=codes.get((category, rate), ""),
        )
        for (category, rate), taxable in sorted(
            groups.items(), key=lambda kv: (-kv[0][1], kv[0][0])
        )
    ]
    total_lines = sum((a.net_amount for a in amounts), ZERO)
    tax_basis = total_lines - total_allowances + total_charges
    total_vat = sum((g.tax_amount for g in breakdown), ZERO)
    total_with_vat = tax_basis + total_vat
    prepaid = round_amount(prepaid)
    for total in (total_lines, tax_basis, total_with_vat):
        _check_fits(total, "lines")
    return Totals(
        lines=amounts,
        vat_breakdown=breakdown,
        total_lines=total_lines,
        total_allowances=total_allowances,
        total_charges=total_charges,
        tax_basis=tax_basis,
        total_vat=total_vat,
        total_with_vat=total_with_vat,
        prepaid=prepaid,
        amount_due=total_with_vat - prepaid,
        allowances_charges=allowances,
        allowance_sources=sources,
    )


def state_allowances_charges(
    given: Iterable[AllowanceCharge], line_groups: dict[tuple[str, Decimal], Decimal]
) -> tuple[list[AllowanceCharge], list[int]]:
    """Each allowance or charge with its amount: an amount as given (rounded), a percentage of
    the line net amounts of its VAT group, or of each group for one on the whole document.
    Returns them with, for each, the index of the one given it comes from."""
    order = sorted(line_groups, key=lambda key: (-key[1], key[0]))
    stated, sources = [], []
    for index, item in enumerate(given):
        if item.percent is None:
            stated.append(replace(item, amount=round_amount(item.amount), base=None))
            sources.append(index)
            continue
        percent = Decimal(item.percent)
        if not ZERO <= percent <= HUNDRED:
            raise OutOfRange(
                CoreError.INVALID_VALUE,
                _("A percentage is between 0 and 100, not %(percent)s.") % {"percent": percent},
                f"allowances_charges.{index}.percent",
            )
        if item.on_every_vat_group:
            keys = order
        else:
            keys = [(item.vat_category, Decimal(item.vat_rate))]
            if keys[0] not in line_groups:
                raise InvalidInput(
                    CoreError.INVALID_VALUE,
                    _(
                        "No line has the VAT rate %(rate)s %%: a percentage of its lines "
                        "cannot be taken. Choose the VAT of a line, or every VAT rate."
                    )
                    % {"rate": Decimal(item.vat_rate).normalize()},
                    f"allowances_charges.{index}.tax",
                )
        for category, rate in keys:
            base = line_groups[(category, rate)]
            amount = round_amount(base * percent / HUNDRED)
            _check_fits(amount, f"allowances_charges.{index}.percent")
            stated.append(
                replace(
                    item,
                    vat_category=category,
                    vat_rate=rate,
                    percent=percent,
                    base=base,
                    amount=amount,
                )
            )
            sources.append(index)
    return stated, sources


def _refuse_negative_bases(groups: dict, lines_only: dict) -> None:
    """A document's allowances take at most what its lines of their VAT rate come to: a VAT
    base below zero would state negative VAT on an invoice that charges."""
    for (category, rate), taxable in groups.items():
        lines = lines_only.get((category, rate), ZERO)
        if taxable < 0 <= lines:
            raise OutOfRange(
                CoreError.ALLOWANCE_ABOVE_LINES,
                _(
                    "The discounts on the lines at %(rate)s %% VAT come to more than these "
                    "lines (%(lines)s): lower them."
                )
                % {"rate": format_quantity(rate), "lines": format_amount(lines)},
                "allowances_charges",
            )


def _check_fits(amount: Decimal, field: str) -> None:
    """Refuse an amount the columns cannot hold (a quantity × price of 10²²), naming the field
    that made it, before anything is stored."""
    if abs(amount) > MAX_AMOUNT:
        raise OutOfRange(
            CoreError.NUMBER_TOO_LARGE,
            _("The amount %(amount)s is larger than %(max)s: check the quantity and the price.")
            % {"amount": amount, "max": MAX_AMOUNT},
            field,
        )
