from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StockConfig(AppConfig):
    name = "comptoir.stock"
    label = "stock"
    verbose_name = _("Deliveries and stock")

    def ready(self) -> None:
        from comptoir.catalog.views import ITEM_SECTIONS
        from comptoir.sales import signals
        from comptoir.stock.views import item_stock_value

        if item_stock_value not in ITEM_SECTIONS:
            ITEM_SECTIONS.append(item_stock_value)
        from comptoir.stock.services.reservations import release_for_orders, reserve_for_orders

        signals.orders_confirmed.connect(reserve_for_orders, dispatch_uid="stock.reserve")
        signals.orders_cancelled.connect(release_for_orders, dispatch_uid="stock.release")
