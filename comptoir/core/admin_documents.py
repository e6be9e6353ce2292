"""Admin for documents: readable by power users, changed only through services."""

from django.contrib import admin


class DocumentAdmin(admin.ModelAdmin):
    """Documents are shown, never edited here: their changes go through services."""

    list_display = ["number", "date", "customer_name", "status", "total_net", "total_gross"]
    list_filter = ["status"]
    search_fields = ["number", "customer_name"]
    date_hierarchy = "date"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class LineInline(admin.TabularInline):
    extra = 0
    fields = ["position", "item_code", "description", "quantity", "unit_price", "discount_pct"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
