"""The purchase journal of the FEC: each approved supplier invoice credits its supplier with
its total and debits the purchases (goods or services, line by line) and the deductible VAT; a
supplier credit note the reverse. Registered with the FEC of payments (``ENTRY_SOURCES``), so
that sales, bank and purchases make one file. The accounts are the reception settings'."""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from comptoir.core.models import Company
from comptoir.core.money import ZERO
from comptoir.payments.accounting import Entry, side
from comptoir.supplierinvoices.models import ReceptionSettings, SupplierInvoice

PURCHASES = ("AC", "Achats")


def purchase_entries(company: Company, start: date, end: date) -> list[Entry]:
    """One entry per supplier invoice approved (205) dated in the period. An invoice still to
    decide, disputed, held or refused is not a debt of the company yet, so it is not booked."""
    accounts = ReceptionSettings.get()
    invoices = list(
        SupplierInvoice.objects.filter(
            status=SupplierInvoice.Status.APPROVED, date__range=(start, end)
        )
        .select_related("supplier")
        .prefetch_related("lines__order_line__item")
        .order_by("date", "number", "pk")
    )
    return [_entry(invoice, accounts) for invoice in invoices]


def _entry(invoice: SupplierInvoice, accounts: ReceptionSettings) -> Entry:
    sign = -1 if invoice.is_credit_note else 1
    supplier = invoice.supplier
    name = invoice.seller_name
    what = "Avoir fournisseur" if invoice.is_credit_note else "Facture fournisseur"
    expenses: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    for line in invoice.lines.all():
        item = line.order_line.item if line.order_line_id else None
        if item is not None and item.is_service:
            expenses[(accounts.account_services, "Achats de prestations de services")] += (
                line.net_amount
            )
        else:
            expenses[(accounts.account_purchases, "Achats de marchandises")] += line.net_amount
    if invoice.total_charges:
        expenses[(accounts.account_purchases, "Frais accessoires d'achat")] += invoice.total_charges
    if not expenses:
        expenses[(accounts.account_purchases, "Achats de marchandises")] = ZERO
    # The totals the invoice states rule: a difference of its own rounding goes to the first
    # purchase account, so that every entry balances.
    stated = sum(expenses.values(), ZERO) - invoice.total_allowances
    first = next(iter(expenses))
    expenses[first] += invoice.total_net - stated
    lines = [
        side(
            accounts.account_suppliers,
            "Fournisseurs",
            -sign * invoice.total_gross,
            aux=(supplier.code if supplier else "", name),
        )
    ]
    lines += [side(account, label, sign * amount) for (account, label), amount in expenses.items()]
    if invoice.total_allowances:
        lines.append(
            side(
                accounts.account_allowances,
                "Rabais, remises et ristournes obtenus",
                -sign * invoice.total_allowances,
            )
        )
    vat = [(g.get("rate") or "0", Decimal(g.get("tax_amount") or 0)) for g in invoice.vat_breakdown]
    vat = [(rate, amount) for rate, amount in vat if amount]
    if vat:
        rate, amount = vat[0]
        vat[0] = (rate, amount + invoice.total_vat - sum((a for _, a in vat), ZERO))
    elif invoice.total_vat:
        vat = [("", invoice.total_vat)]
    for rate, amount in vat:
        label = f"TVA déductible {rate} %" if rate else "TVA déductible"
        lines.append(side(accounts.account_vat, label, sign * amount))
    label = f"{what} {invoice.number} {name}"[:200]
    return Entry(
        PURCHASES, invoice.date, invoice.number, label, [x for x in lines if x.debit or x.credit]
    )
