from django.urls import path

from comptoir.reports import views, views_operations

app_name = "reports"

urlpatterns = [
    path("sales/", views.sales, name="sales"),
    path("sales/invoices/", views.sales_invoices, name="sales_invoices"),
    path("backlog/", views_operations.backlog, name="backlog"),
    path("to-invoice/", views_operations.to_invoice, name="to_invoice"),
    path("quotations/", views_operations.quotations, name="quotations"),
    path("month-sales/", views_operations.month_sales, name="month_sales"),
]
