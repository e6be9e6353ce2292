from django.contrib import admin

from comptoir.payments.models import Allocation, Payment


class AllocationInline(admin.TabularInline):
    model = Allocation
    extra = 0
    readonly_fields = ["invoice", "amount", "date"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ["number", "date", "customer", "method", "amount", "reference"]
    search_fields = ["number", "reference"]
    inlines = [AllocationInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
