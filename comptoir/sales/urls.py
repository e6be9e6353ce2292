from django.urls import path

from comptoir.core.views import list_view
from comptoir.sales import views

app_name = "sales"
urlpatterns = [
    path("quotations/", list_view(views.QuotationListing), name="quotations"),
    path("quotations/new/", views.quotation_form, name="quotation_new"),
    path("quotations/<int:pk>/", views.quotation_detail, name="quotation"),
    path("quotations/<int:pk>/edit/", views.quotation_form, name="quotation_edit"),
    path("orders/", list_view(views.OrderListing), name="orders"),
    path("orders/new/", views.order_form, name="order_new"),
    path("orders/<int:pk>/", views.order_detail, name="order"),
    path("orders/<int:pk>/edit/", views.order_form, name="order_edit"),
]
