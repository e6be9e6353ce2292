"""Every state change of invoices and credit notes.

Issuing gives the gapless number and freezes the document (CGI art. 242 nonies A; corrections
are credit notes, never edits). Batch-first: issuing many invoices locks the series once.
"""

from comptoir.billing.services.credit_notes import (
    cancel_invoice,
    correct_invoice,
    credit_for_return,
    credit_invoice,
)
from comptoir.billing.services.drafts import (
    create_down_payment,
    create_invoice,
    create_invoices,
    delete_invoice,
    invoice_deliveries,
    invoice_order,
    invoice_orders,
    invoice_quotation,
    update_invoice,
)
from comptoir.billing.services.issuing import (
    create_issued_invoices,
    issue_invoice,
    issue_invoices,
    refresh_settlements,
)
from comptoir.billing.services.sending import message_for, send_document, send_invoice

__all__ = [
    "cancel_invoice",
    "correct_invoice",
    "create_down_payment",
    "create_invoice",
    "create_invoices",
    "create_issued_invoices",
    "credit_for_return",
    "credit_invoice",
    "delete_invoice",
    "invoice_deliveries",
    "invoice_order",
    "invoice_orders",
    "invoice_quotation",
    "issue_invoice",
    "issue_invoices",
    "message_for",
    "refresh_settlements",
    "send_document",
    "send_invoice",
    "update_invoice",
]
