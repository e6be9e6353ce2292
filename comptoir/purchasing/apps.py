from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PurchasingConfig(AppConfig):
    name = "comptoir.purchasing"
    label = "purchasing"
    verbose_name = _("Purchasing")

    def ready(self) -> None:
        from comptoir.purchasing.promising import promise_orders
        from comptoir.sales import signals

        # After stock's reservation (stock's app comes first): promises count reserved goods.
        signals.orders_confirmed.connect(promise_orders, dispatch_uid="purchasing.promise")
