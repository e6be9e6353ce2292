from django.contrib import admin

from comptoir.core.admin_documents import DocumentAdmin
from comptoir.stock.models import DeliveryNote


@admin.register(DeliveryNote)
class DeliveryNoteAdmin(DocumentAdmin):
    list_display = ["number", "date", "order", "status"]
    search_fields = ["number"]
