"""What is e-reported (flux 10): the sales outside the e-invoicing of French businesses, and the
payments of services whose VAT is due on receipt.

- **Transactions** (flux 10.1 and 10.3): the issued invoices and credit notes of a period to a
  consumer (B2C: the customer, as the invoice states it, is not a business), aggregated per day,
  transaction category and VAT rate (10.3); and those to a business outside France (international
  B2B), one by one with their VAT breakdown (10.1, which names the buyer: rule G6.28).
- **Payments** (flux 10.2 and 10.4): what these customers paid of the services taxed in France,
  when the company pays VAT on receipts (not on debits): per day and rate for consumers (10.4),
  per invoice for businesses abroad (10.2).

Partner imports (e-shops, marketplaces) create issued invoices: they are reported as invoices.
Every amount comes from the VAT breakdown the invoice stored when it was issued (computed once,
by comptoir.core.totals); here they are only added up. Each function runs a fixed number of
queries, whatever the number of invoices.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q

from comptoir.billing.models import Invoice, InvoiceLine
from comptoir.core.models import Company
from comptoir.core.money import ZERO, round_amount
from comptoir.payments.models import Allocation, Payment

FRANCE = ("FR", "MC")  # Monaco is in the French VAT territory
EU = frozenset((  # the other member states (Greece's VAT numbers start with EL)
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "GR", "HR", "HU",
    "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
))  # fmt: skip

# Categories of transactions (TT-81, rule G1.68): goods, services, not taxable in France.
GOODS, SERVICES, NOT_TAXABLE = "TLB1", "TPS1", "TNT1"
# VAT categories (UNTDID 5305) of what is not taxable in France: outside the scope of VAT,
# exports, intra-EU supplies, reverse charge.
OUTSIDE_FRENCH_VAT = ("O", "G", "K", "AE")


@dataclass(frozen=True)
class Subtotal:
    rate: Decimal
    taxable: Decimal
    tax: Decimal


@dataclass(frozen=True)
class DaySales:
    """The consumer sales of a day in one category (TG-31): their subtotals per VAT rate."""

    day: dt.date
    category: str
    currency: str
    count: int
    subtotals: tuple[Subtotal, ...]

    @property
    def taxable(self) -> Decimal:
        return sum((s.taxable for s in self.subtotals), ZERO)

    @property
    def tax(self) -> Decimal:
        return sum((s.tax for s in self.subtotals), ZERO)


@dataclass(frozen=True)
class VatLine:
    category: str
    rate: Decimal
    taxable: Decimal
    tax: Decimal
    exemption_reason: str = ""
    exemption_code: str = ""


@dataclass(frozen=True)
class InvoiceSale:
    """An invoice or credit note to a business abroad (TG-8), as it was issued."""

    number: str
    date: dt.date
    type_code: str
    currency: str
    process: str  # B1 goods, S1 services, M1 both (TT-28)
    buyer_name: str
    buyer_vat_id: str
    buyer_code: str  # the customer's code in Comptoir: its id when it has no VAT number
    buyer_country: str
    taxable: Decimal
    tax: Decimal
    vat: tuple[VatLine, ...]
    credited: tuple[str, dt.date] | None = None  # the invoice a credit note credits


@dataclass(frozen=True)
class Transactions:
    days: tuple[DaySales, ...]
    invoices: tuple[InvoiceSale, ...]


@dataclass(frozen=True)
class Received:
    """What was received on a day for the services of one invoice or of all consumers."""

    day: dt.date
    amounts: tuple[tuple[Decimal, Decimal], ...]  # (VAT rate, amount received incl. VAT)
    invoice: tuple[str, dt.date] | None = None  # number and date; None: consumers, aggregated


def _country(address: dict | None) -> str:
    return ((address or {}).get("country") or "FR").upper()


def is_reported(is_business: bool, address: dict | None) -> bool:
    """A consumer, or a business outside France."""
    return not is_business or _country(address) not in FRANCE


def _reported(prefix: str = "") -> Q:
    """The invoices e-reported, as a filter; a missing country is France (as on the invoice)."""
    abroad = Q(**{f"{prefix}billing_address__country__isnull": False}) & ~Q(
        **{f"{prefix}billing_address__country__in": FRANCE}
    )
    return Q(**{f"{prefix}customer_is_business": False}) | abroad


def _line_kinds(invoice_ids) -> dict[tuple[int, str, Decimal], tuple[int, int]]:
    """(invoice, VAT category, rate) → (goods lines, services lines), in one query."""
    rows = (
        InvoiceLine.objects.filter(invoice_id__in=invoice_ids)
        .values("invoice_id", "vat_category", "vat_rate")
        .annotate(
            goods=Count("id", filter=Q(is_service=False)),
            services=Count("id", filter=Q(is_service=True)),
        )
    )
    return {
        (r["invoice_id"], r["vat_category"], Decimal(r["vat_rate"])): (r["goods"], r["services"])
        for r in rows
    }


def _category(vat_category: str, kinds: tuple[int, int] | None) -> str:
    """TNT1 outside French VAT; TPS1 when the group bills only services; TLB1 otherwise (goods,
    or a document charge such as shipping, which has no line)."""
    if vat_category in OUTSIDE_FRENCH_VAT:
        return NOT_TAXABLE
    goods, services = kinds or (0, 0)
    return SERVICES if services and not goods else GOODS


def transactions(start: dt.date, end: dt.date) -> Transactions:
    """The invoices and credit notes issued from ``start`` to ``end`` that are e-reported."""
    invoices = list(
        Invoice.objects.filter(status=Invoice.Status.ISSUED, date__range=(start, end))
        .filter(_reported())
        .select_related("credited_invoice", "customer")
        .only(
            "number", "date", "kind", "currency", "customer_name", "customer_vat_id",
            "customer_is_business", "billing_address", "vat_breakdown", "total_net",
            "total_vat", "credited_invoice__number", "credited_invoice__date", "customer__code",
        )
        .order_by("date", "number")
    )  # fmt: skip
    kinds = _line_kinds([invoice.pk for invoice in invoices])
    processes: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for (pk, _vat_category, _rate), (goods, services) in kinds.items():
        processes[pk][0] += goods
        processes[pk][1] += services
    days: dict[tuple[dt.date, str, str], dict[Decimal, list[Decimal]]] = defaultdict(dict)
    counted: dict[tuple[dt.date, str, str], set[int]] = defaultdict(set)
    abroad = []
    for invoice in invoices:
        if invoice.customer_is_business:
            abroad.append(_invoice_sale(invoice, *processes[invoice.pk]))
            continue
        for group in invoice.vat_breakdown:
            rate = Decimal(group["rate"])
            category = _category(
                group["category"], kinds.get((invoice.pk, group["category"], rate))
            )
            key = (invoice.date, category, invoice.currency)
            sums = days[key].setdefault(rate, [ZERO, ZERO])
            sums[0] += invoice.sign * Decimal(group["taxable_amount"])
            sums[1] += invoice.sign * Decimal(group["tax_amount"])
            counted[key].add(invoice.pk)
    return Transactions(
        days=tuple(
            DaySales(
                day=day,
                category=category,
                currency=currency,
                count=len(counted[(day, category, currency)]),
                subtotals=tuple(
                    Subtotal(rate, taxable, tax)
                    for rate, (taxable, tax) in sorted(rates.items(), reverse=True)
                ),
            )
            for (day, category, currency), rates in sorted(days.items())
        ),
        invoices=tuple(abroad),
    )


def _invoice_sale(invoice: Invoice, goods: int, services: int) -> InvoiceSale:
    process = "M1" if goods and services else ("S1" if services else "B1")
    credited = invoice.credited_invoice
    return InvoiceSale(
        number=invoice.number,
        date=invoice.date,
        type_code=invoice.type_code,
        currency=invoice.currency,
        process=process,
        buyer_name=invoice.customer_name,
        buyer_vat_id=invoice.customer_vat_id,
        buyer_code=invoice.customer.code,
        buyer_country=_country(invoice.billing_address),
        taxable=invoice.total_net,
        tax=invoice.total_vat,
        vat=tuple(
            VatLine(
                category=group["category"],
                rate=Decimal(group["rate"]),
                taxable=Decimal(group["taxable_amount"]),
                tax=Decimal(group["tax_amount"]),
                exemption_reason=group.get("exemption_reason", ""),
                exemption_code=group.get("exemption_reason_code", ""),
            )
            for group in invoice.vat_breakdown
        ),
        credited=(credited.number, credited.date) if credited else None,
    )


def payments(start: dt.date, end: dt.date) -> tuple[Received, ...]:
    """What consumers and businesses abroad paid from ``start`` to ``end`` for services taxed
    in France, on the day the payment was received (its date).

    The amount allocated is shared among the invoice's VAT rates in proportion of what each
    rate's services weigh in the invoice's total incl. VAT; the goods' share is not reported.
    A company that pays VAT on debits has none to report.
    """
    if Company.get().vat_on_debits:
        return ()
    allocations = list(
        Allocation.objects.filter(
            payment__date__range=(start, end),
            payment__status=Payment.Status.RECEIVED,
            invoice__status=Invoice.Status.ISSUED,
        )
        .exclude(invoice__kind=Invoice.Kind.CREDIT_NOTE)
        .filter(_reported("invoice__"))
        .values(
            "payment__date", "amount", "invoice_id", "invoice__number", "invoice__date",
            "invoice__customer_is_business", "invoice__vat_breakdown", "invoice__total_gross",
        )
        .order_by("payment__date", "invoice__number")
    )  # fmt: skip
    kinds = _line_kinds({a["invoice_id"] for a in allocations})
    consumers: dict[dt.date, dict[Decimal, Decimal]] = defaultdict(dict)
    per_invoice: dict[tuple[dt.date, str, dt.date], dict[Decimal, Decimal]] = defaultdict(dict)
    for allocation in allocations:
        gross = allocation["invoice__total_gross"]
        if not gross:
            continue
        day = allocation["payment__date"]
        if allocation["invoice__customer_is_business"]:
            key = (day, allocation["invoice__number"], allocation["invoice__date"])
            sums = per_invoice[key]
        else:
            sums = consumers[day]
        for group in allocation["invoice__vat_breakdown"]:
            rate = Decimal(group["rate"])
            kind = kinds.get((allocation["invoice_id"], group["category"], rate))
            if group["category"] != "S" or _category("S", kind) != SERVICES:
                continue
            weight = Decimal(group["taxable_amount"]) + Decimal(group["tax_amount"])
            share = round_amount(allocation["amount"] * weight / gross)
            sums[rate] = sums.get(rate, ZERO) + share
    received = [
        Received(day, _amounts(sums)) for day, sums in sorted(consumers.items()) if sums
    ] + [
        Received(day, _amounts(sums), invoice=(number, date))
        for (day, number, date), sums in sorted(per_invoice.items())
        if sums
    ]
    return tuple(received)


def _amounts(sums: dict[Decimal, Decimal]) -> tuple[tuple[Decimal, Decimal], ...]:
    return tuple(sorted(sums.items(), reverse=True))
