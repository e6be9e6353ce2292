from django.urls import path

from comptoir.einvoicing import views

app_name = "einvoicing"
urlpatterns = [
    path("settings/platform/", views.connection, name="connection"),
    path("invoices/<int:pk>/platform/resend/", views.resend, name="resend"),
    path("customers/<int:pk>/directory/", views.customer_directory, name="customer_directory"),
]
