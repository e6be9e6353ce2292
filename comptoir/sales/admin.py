from django.contrib import admin

from comptoir.core.admin_documents import DocumentAdmin, LineInline
from comptoir.sales.models import Quotation, QuotationLine, SalesOrder, SalesOrderLine


class QuotationLineInline(LineInline):
    model = QuotationLine


class SalesOrderLineInline(LineInline):
    model = SalesOrderLine


@admin.register(Quotation)
class QuotationAdmin(DocumentAdmin):
    inlines = [QuotationLineInline]


@admin.register(SalesOrder)
class SalesOrderAdmin(DocumentAdmin):
    list_display = [*DocumentAdmin.list_display, "delivery_status", "billing_status"]
    inlines = [SalesOrderLineInline]
