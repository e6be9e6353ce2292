from django.urls import path

from comptoir.billing import views
from comptoir.core.views import list_view

app_name = "billing"
urlpatterns = [
    path("invoices/", list_view(views.InvoiceListing), name="invoices"),
    path("invoices/new/", views.invoice_form, name="invoice_new"),
    path("invoices/from-deliveries/", views.invoice_deliveries, name="invoice_deliveries"),
    path("invoices/<int:pk>/", views.invoice_detail, name="invoice"),
    path("invoices/<int:pk>/edit/", views.invoice_form, name="invoice_edit"),
    path("invoices/<int:pk>/credit/", views.invoice_credit, name="invoice_credit"),
    path("invoices/<int:pk>/pdf/", views.invoice_pdf, name="invoice_pdf"),
    path("invoices/<int:pk>/send/", views.invoice_send, name="invoice_send"),
    path("quotations/<int:pk>/send/", views.quotation_send, name="quotation_send"),
    path("orders/<int:pk>/send/", views.order_send, name="order_send"),
    path("orders/<int:pk>/down-payment/", views.order_down_payment, name="order_down_payment"),
    path("documents/<str:kind>/<int:pk>/pdf/", views.document_pdf, name="document_pdf"),
    path("picking/pdf/", views.picking_pdf, name="picking_pdf"),
    path("invoices/<int:pk>/factur-x.xml", views.invoice_xml, name="invoice_xml"),
    path("invoices/<int:pk>/ubl.xml", views.invoice_ubl, name="invoice_ubl"),
    path("credit-notes/", list_view(views.CreditNoteListing), name="credit_notes"),
    path("receivables/", list_view(views.ReceivablesListing), name="receivables"),
]
