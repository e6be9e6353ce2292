"""Accounting entries of sales and the FEC (fichier des écritures comptables, LPF art. A47 A-1).

Entries are derived from issued documents, which never change: each issued invoice makes a
sales-journal entry (customer debited with the total, revenue and VAT credited), a credit note
the reverse, each payment a bank-journal entry (bank debited, customer credited). Other apps
add their journals through ``ENTRY_SOURCES`` (supplier invoices: the purchase journal). Every
entry balances. The accounts come from the company settings and each tax's account.
"""

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from comptoir.billing.models import Invoice, InvoiceLine
from comptoir.core import audit
from comptoir.core.models import Company
from comptoir.core.money import ZERO, round_amount
from comptoir.payments.models import Payment, Refund
from comptoir.pricing.models import Tax

SALES, BANK = ("VE", "Ventes"), ("BQ", "Banque")
FEC_COLUMNS = [
    "JournalCode",
    "JournalLib",
    "EcritureNum",
    "EcritureDate",
    "CompteNum",
    "CompteLib",
    "CompAuxNum",
    "CompAuxLib",
    "PieceRef",
    "PieceDate",
    "EcritureLib",
    "Debit",
    "Credit",
    "EcritureLet",
    "DateLet",
    "ValidDate",
    "Montantdevise",
    "Idevise",
]


@dataclass
class Line:
    account: str
    label: str
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    aux_number: str = ""
    aux_label: str = ""


@dataclass
class Entry:
    journal: tuple[str, str]
    day: date
    piece: str
    label: str
    lines: list[Line]
    number: str = ""

    @property
    def balanced(self) -> bool:
        return sum(x.debit for x in self.lines) == sum(x.credit for x in self.lines)


def fiscal_year(year: int, company: Company | None = None) -> tuple[date, date]:
    """The first and last day of the fiscal year that ends in ``year``."""
    month = (company or Company.get()).fiscal_year_start_month
    if month == 1:
        return date(year, 1, 1), date(year, 12, 31)
    return date(year - 1, month, 1), date(year, month, 1) - timedelta(days=1)


def _invoice_entries(company: Company, start: date, end: date) -> list[Entry]:
    invoices = list(
        Invoice.objects.filter(status=Invoice.Status.ISSUED, date__range=(start, end))
        .select_related("customer")
        .order_by("date", "number")
    )
    revenue: dict[int, dict[bool, Decimal]] = defaultdict(dict)
    for invoice_id, is_service, net in (
        InvoiceLine.objects.filter(invoice__in=invoices)
        .order_by()
        .values_list("invoice_id", "is_service")
        .annotate(net=Sum("net_amount"))
    ):
        revenue[invoice_id][is_service] = net
    accounts = {(t.category, Decimal(t.rate)): t.account for t in Tax.objects.all()}
    entries = []
    for invoice in invoices:
        sign = -1 if invoice.kind == Invoice.Kind.CREDIT_NOTE else 1
        what = invoice.get_kind_display()
        label = f"{what} {invoice.number} {invoice.customer_name}"[:200]
        lines = [
            side(
                company.account_customers,
                "Clients",
                sign * invoice.total_gross,
                aux=(invoice.customer.code, invoice.customer_name),
            )
        ]
        for is_service, net in sorted(revenue[invoice.pk].items()):
            account = company.account_services if is_service else company.account_goods
            name = "Prestations de services" if is_service else "Ventes de marchandises"
            lines.append(side(account, name, -sign * net))
        for item in invoice.allowances_charges:
            amount = Decimal(item["amount"])
            if item.get("is_charge"):
                lines.append(side(company.account_charges, "Frais refacturés", -sign * amount))
            else:
                lines.append(side(company.account_allowances, "Remises accordées", sign * amount))
        for group in invoice.vat_breakdown:
            tax = Decimal(group["tax_amount"])
            if tax:
                key = (group["category"], Decimal(group["rate"]))
                account = accounts.get(key, "445710")
                lines.append(side(account, f"TVA collectée {group['rate']} %", -sign * tax))
        entries.append(Entry(SALES, invoice.date, invoice.number, label, lines))
    return entries


def side(account: str, name: str, amount: Decimal, aux=("", "")) -> Line:
    """A debit when the amount is positive, a credit when it is negative."""
    amount = round_amount(amount)
    return Line(
        account=account,
        label=name,
        debit=amount if amount > 0 else ZERO,
        credit=-amount if amount < 0 else ZERO,
        aux_number=aux[0],
        aux_label=aux[1],
    )


def _payment_entries(company: Company, start: date, end: date) -> list[Entry]:
    """Each payment received; a payment cancelled later keeps its entry and gets the reverse
    one on the day it was cancelled."""
    entries = []
    payments = Payment.objects.select_related("customer").order_by("date", "number")
    cancelled = payments.filter(
        status=Payment.Status.CANCELLED,
        cancelled_at__date__range=(start, end),
    )
    for payment, sign in [(p, 1) for p in payments.filter(date__range=(start, end))] + [
        (p, -1) for p in cancelled
    ]:
        day = payment.date if sign > 0 else timezone.localtime(payment.cancelled_at).date()
        what = "Règlement" if sign > 0 else "Annulation règlement"
        label = f"{what} {payment.number} {payment.customer.name}"[:200]
        entries.append(
            Entry(
                BANK,
                day,
                payment.number,
                label,
                [
                    side(company.account_bank, "Banque", sign * payment.amount),
                    side(
                        company.account_customers,
                        "Clients",
                        -sign * payment.amount,
                        aux=(payment.customer.code, payment.customer.name),
                    ),
                ],
            )
        )
    for refund in (
        Refund.objects.filter(date__range=(start, end))
        .select_related("payment__customer")
        .order_by("date", "pk")
    ):
        customer = refund.payment.customer
        entries.append(
            Entry(
                BANK,
                refund.date,
                refund.payment.number,
                f"Remboursement {refund.payment.number} {customer.name}"[:200],
                [
                    side(company.account_bank, "Banque", -refund.amount),
                    side(
                        company.account_customers,
                        "Clients",
                        refund.amount,
                        aux=(customer.code, customer.name),
                    ),
                ],
            )
        )
    return entries


# The entries other apps make (the purchase journal of supplier invoices…), registered by them:
# each is called with (company, start, end) and gives a list of ``Entry``.
ENTRY_SOURCES: list = []


def entries(start: date, end: date) -> list[Entry]:
    """Every entry of the period, numbered per journal in date order."""
    company = Company.get()
    result = _invoice_entries(company, start, end) + _payment_entries(company, start, end)
    for source in ENTRY_SOURCES:
        result += source(company, start, end)
    result.sort(key=lambda e: (e.journal[0], e.day, e.piece))
    counters: dict[str, int] = defaultdict(int)
    for entry in result:
        counters[entry.journal[0]] += 1
        entry.number = f"{entry.journal[0]}{counters[entry.journal[0]]:06d}"
    result.sort(key=lambda e: (e.day, e.journal[0], e.number))
    return result


def _fec_amount(value: Decimal) -> str:
    return f"{value:.2f}".replace(".", ",")


def fec_file_name(end: date, company: Company | None = None) -> str:
    company = company or Company.get()
    return f"{company.siren or '000000000'}FEC{end:%Y%m%d}.txt"


def fec(start: date, end: date, separator: str = "\t") -> str:
    """The FEC of the period: the 18 standard columns, one row per entry line."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=separator, lineterminator="\r\n", quoting=csv.QUOTE_NONE,
                        escapechar="\\")  # fmt: skip
    writer.writerow(FEC_COLUMNS)
    for entry in entries(start, end):
        for line in entry.lines:
            writer.writerow(
                [
                    entry.journal[0],
                    entry.journal[1],
                    entry.number,
                    f"{entry.day:%Y%m%d}",
                    line.account,
                    line.label,
                    line.aux_number,
                    _clean(line.aux_label, separator),
                    entry.piece,
                    f"{entry.day:%Y%m%d}",
                    _clean(entry.label, separator),
                    _fec_amount(line.debit),
                    _fec_amount(line.credit),
                    "",
                    "",
                    f"{entry.day:%Y%m%d}",
                    "",
                    "",
                ]
            )
    audit.record_event(audit.EXPORTED, f"FEC {start:%Y-%m-%d} – {end:%Y-%m-%d}")
    return out.getvalue()


def _clean(text: str, separator: str) -> str:
    return " ".join(text.replace(separator, " ").split())
