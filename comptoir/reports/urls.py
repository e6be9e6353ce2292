from django.urls import path

from comptoir.reports import views

app_name = "reports"

urlpatterns = [
    path("sales/", views.sales, name="sales"),
    path("sales/invoices/", views.sales_invoices, name="sales_invoices"),
]
