from django.contrib import admin

from comptoir.billing.models import Invoice, InvoiceLine
from comptoir.core.admin_documents import DocumentAdmin, LineInline


class InvoiceLineInline(LineInline):
    model = InvoiceLine


@admin.register(Invoice)
class InvoiceAdmin(DocumentAdmin):
    """Issued invoices are immutable by law; drafts too are changed through the services."""

    list_display = [*DocumentAdmin.list_display, "kind", "due_date"]
    list_filter = ["status", "kind"]
    inlines = [InvoiceLineInline]
