from django.urls import path

from comptoir.einvoicing import views

app_name = "einvoicing"
urlpatterns = [
    path("settings/platform/", views.connection, name="connection"),
    path("invoices/<int:pk>/platform/resend/", views.resend, name="resend"),
    path("settings/platform/webhook/", views.webhook_secret, name="webhook_secret"),
    path("customers/<int:pk>/directory/", views.customer_directory, name="customer_directory"),
    path("invoices/<int:pk>/correction/", views.invoice_correction, name="invoice_correction"),
    path(
        "invoices/<int:pk>/refusal-credit-note/",
        views.invoice_refusal_credit,
        name="invoice_refusal_credit",
    ),
]
