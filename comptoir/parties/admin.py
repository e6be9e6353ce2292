from django.contrib import admin

from comptoir.parties.models import (
    Address,
    Contact,
    Customer,
    CustomerGroup,
    SalesPartner,
    Territory,
)


class AddressInline(admin.TabularInline):
    model = Address
    extra = 0


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "siren", "vat_id", "group", "active"]
    list_filter = ["kind", "group", "territory", "active"]
    search_fields = ["code", "name", "siren", "email"]
    inlines = [AddressInline, ContactInline]


admin.site.register([CustomerGroup, Territory, SalesPartner])
