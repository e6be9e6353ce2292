from django.urls import path

from comptoir.core.views import list_view
from comptoir.pricing import views

app_name = "pricing"
urlpatterns = [
    path("taxes/", list_view(views.TaxListing), name="taxes"),
    path("taxes/new/", views.tax_form, name="tax_new"),
    path("taxes/<int:pk>/", views.tax_form, name="tax"),
    path("why-this-price/", views.why_price, name="why_price"),
    path("payment-terms/", list_view(views.PaymentTermsListing), name="payment_terms"),
]
