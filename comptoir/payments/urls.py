from django.urls import path

from comptoir.core.views import list_view
from comptoir.payments import views

app_name = "payments"
urlpatterns = [
    path("payments/", list_view(views.PaymentListing), name="payments"),
    path("payments/new/", views.payment_new, name="payment_new"),
    path("payments/<int:pk>/", views.payment_detail, name="payment"),
    path("payments/<int:pk>/cancel/", views.payment_cancel, name="payment_cancel"),
    path("payments/<int:pk>/refund/", views.payment_refund, name="payment_refund"),
    path("payments/<int:pk>/unallocate/", views.unallocate, name="unallocate"),
    path("payments/<int:pk>/allocate/", views.payment_allocate, name="allocate"),
    path("invoices/<int:pk>/pay/", views.invoice_pay, name="invoice_pay"),
    path("accounting/fec/", views.fec_export, name="fec"),
]
