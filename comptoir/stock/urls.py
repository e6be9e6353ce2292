from django.urls import path

from comptoir.core.views import list_view
from comptoir.stock import views

app_name = "stock"
urlpatterns = [
    path("deliveries/", list_view(views.DeliveryListing), name="deliveries"),
    path("deliveries/<int:pk>/", views.delivery_detail, name="delivery"),
    path("orders/<int:pk>/deliver/", views.order_deliver, name="order_deliver"),
    path("deliveries/<int:pk>/return/", views.delivery_return, name="delivery_return"),
    path("returns/", list_view(views.ReturnListing), name="returns"),
    path("returns/<int:pk>/", views.return_detail, name="return"),
    path("stock/", list_view(views.StockListing), name="levels"),
    path("stock/picking/", views.picking, name="picking"),
    path("stock/moves/", list_view(views.MoveListing), name="moves"),
    path("stock/moves/new/", views.move_form, name="move_new"),
    path("stock/count/", views.count_form, name="count"),
    path("stock/warehouses/", list_view(views.WarehouseListing), name="warehouses"),
    path("stock/warehouses/new/", views.warehouse_form, name="warehouse_new"),
    path("stock/warehouses/<int:pk>/", views.warehouse_form, name="warehouse"),
]
