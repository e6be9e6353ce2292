"""What an issued invoice or credit note states, as sealed in the journal (core.journal).

Every field the PDF or the XML prints is sealed, and the status: an issued invoice set back to
draft, or whose notes were rewritten, no longer says what was sealed. Version 2 of the seal
added the status, the notes, the terms, the customer's reference and kind, and each line's
kind and exemption reason; entries sealed before are checked on what they sealed.

A field printed from now on is sealed too: add it to ``invoice_content`` and raise
``VERSION``, so that the entries sealed before are not held to it."""

from decimal import Decimal
from operator import attrgetter

from comptoir.billing.models import Invoice, InvoiceLine
from comptoir.core.journal import SEAL_VERSION

VERSION = 2


def _fixed(value, places: int) -> str:
    return f"{value if isinstance(value, Decimal) else Decimal(value):.{places}f}"


LINE_FIELDS = (
    "invoice_id",
    "pk",
    "position",
    "item_code",
    "description",
    "unit_code",
    "quantity",
    "unit_price",
    "discount_pct",
    "vat_category",
    "vat_rate",
    "net_amount",
    "is_service",
    "vat_exemption_reason",
)


def _line(values: tuple) -> dict:
    (_invoice, _pk, position, code, description, unit, quantity, price, discount, category,
     rate, net, is_service, exemption) = values  # fmt: skip
    return {
        "is_service": is_service,
        "vat_exemption_reason": exemption,
        "position": position,
        "item_code": code,
        "description": description,
        "unit": unit,
        "quantity": _fixed(quantity, 3),
        "unit_price": _fixed(price, 4),
        "discount_pct": _fixed(discount, 2),
        "vat_category": category,
        "vat_rate": _fixed(rate, 2),
        "net_amount": _fixed(net, 2),
    }


def invoice_content(invoice: Invoice, lines, credited_number: str = "") -> dict:
    return {
        SEAL_VERSION: VERSION,
        "status": invoice.status,
        "number": invoice.number,
        "type_code": Invoice.TYPE_CODES[invoice.kind],
        "date": invoice.date.isoformat(),
        "supply_date": invoice.supply_date.isoformat() if invoice.supply_date else "",
        **(
            {"supply_end_date": invoice.supply_end_date.isoformat()}
            if invoice.supply_end_date
            else {}
        ),
        "due_date": invoice.due_date.isoformat() if invoice.due_date else "",
        "currency": invoice.currency,
        "customer": {
            "id": invoice.customer_id,
            "name": invoice.customer_name,
            "siren": invoice.customer_siren,
            "vat_id": invoice.customer_vat_id,
            "is_business": invoice.customer_is_business,
            "reference": invoice.customer_reference,
            "billing_address": invoice.billing_address,
            "shipping_address": invoice.shipping_address,
        },
        "credited_invoice": credited_number,
        "payment_terms": invoice.payment_terms_text,
        "notes": invoice.notes,
        "terms": invoice.terms,
        "lines": [_line(line) for line in sorted(lines, key=lambda values: values[2:0:-1])],
        "allowances_charges": invoice.allowances_charges,
        "vat_breakdown": invoice.vat_breakdown,
        "totals": {
            "lines": _fixed(invoice.total_lines, 2),
            "allowances": _fixed(invoice.total_allowances, 2),
            "charges": _fixed(invoice.total_charges, 2),
            "net": _fixed(invoice.total_net, 2),
            "vat": _fixed(invoice.total_vat, 2),
            "gross": _fixed(invoice.total_gross, 2),
        },
    }


def contents(invoices: list[Invoice], written_lines: list[InvoiceLine] | None = None):
    """The sealed content of each invoice, by id, in at most two queries.

    ``written_lines``: the invoices' lines as they were just inserted (their values rounded
    as stored), read from memory rather than from the database.
    """
    ids = [invoice.pk for invoice in invoices]
    lines: dict[int, list] = {}
    if written_lines is None:
        rows = InvoiceLine.objects.filter(invoice_id__in=ids).values_list(*LINE_FIELDS)
    else:
        rows = map(attrgetter(*LINE_FIELDS), written_lines)
    for values in rows:
        lines.setdefault(values[0], []).append(values)
    credited = dict(
        Invoice.objects.filter(
            pk__in={i.credited_invoice_id for i in invoices if i.credited_invoice_id}
        ).values_list("pk", "number")
    )
    return {
        invoice.pk: invoice_content(
            invoice, lines.get(invoice.pk, []), credited.get(invoice.credited_invoice_id, "")
        )
        for invoice in invoices
    }


def current_contents(kind: str, ids: list[int]) -> dict[int, dict]:
    """What the stored documents say today, to check them against what was sealed."""
    return contents(list(Invoice.objects.filter(pk__in=ids, kind=kind)))
