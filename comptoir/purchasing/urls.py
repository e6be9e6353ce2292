from django.urls import path

from comptoir.core.views import list_view
from comptoir.purchasing import views

app_name = "purchasing"
urlpatterns = [
    path("suppliers/", list_view(views.SupplierListing), name="suppliers"),
    path("suppliers/new/", views.supplier_form, name="supplier_new"),
    path("suppliers/<int:pk>/", views.supplier_form, name="supplier"),
    path("purchases/", list_view(views.PurchaseOrderListing), name="orders"),
    path("purchases/new/", views.order_form, name="order_new"),
    path("purchases/<int:pk>/", views.order_detail, name="order"),
    path("purchases/<int:pk>/receive/", views.order_receive, name="order_receive"),
    path("orders/<int:pk>/purchase/", views.sales_order_purchase, name="sales_order_purchase"),
]
