from django.contrib import admin

from comptoir.pricing.models import PaymentTerms, Tax, TermsTemplate


@admin.register(Tax)
class TaxAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "rate", "category", "exemption_reason", "active"]


@admin.register(PaymentTerms)
class PaymentTermsAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "days", "end_of_month", "active"]


admin.site.register(TermsTemplate)
