from django.contrib import admin

from comptoir.catalog.models import Item, ItemGroup, ItemPrice, PriceList, Unit


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "sale_price", "tax", "active"]
    list_filter = ["kind", "group", "active"]
    search_fields = ["code", "name"]


class ItemPriceInline(admin.TabularInline):
    model = ItemPrice
    extra = 0
    autocomplete_fields = ["item"]


@admin.register(PriceList)
class PriceListAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "prices_include_vat", "active"]
    inlines = [ItemPriceInline]


admin.site.register([Unit, ItemGroup])
