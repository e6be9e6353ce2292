from django.urls import path

from comptoir.einvoicing import views

app_name = "einvoicing"
urlpatterns = [
    path("settings/platform/", views.connection, name="connection"),
    path("settings/platform/webhook/", views.webhook_secret, name="webhook_secret"),
    path("customers/<int:pk>/directory/", views.customer_directory, name="customer_directory"),
]
