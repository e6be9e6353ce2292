from django.urls import path

from comptoir.core.views import list_view
from comptoir.parties import views

app_name = "parties"
urlpatterns = [
    path("customers/", list_view(views.CustomerListing), name="customers"),
    path("customers/new/", views.customer_form, name="customer_new"),
    path("customers/options/", views.customer_options, name="customer_options"),
    path("customers/<int:pk>/", views.customer_detail, name="customer"),
    path("customers/<int:pk>/edit/", views.customer_form, name="customer_edit"),
    path("customers/<int:pk>/addresses/new/", views.address_new, name="address_new"),
    path("customers/<int:pk>/contacts/new/", views.contact_new, name="contact_new"),
]
