from django.urls import path

from comptoir.core.views import list_view
from comptoir.pricing import views

app_name = "pricing"
urlpatterns = [
    path("taxes/", list_view(views.TaxListing), name="taxes"),
    path("taxes/new/", views.tax_form, name="tax_new"),
    path("taxes/<int:pk>/", views.tax_form, name="tax"),
    path("pricing-rules/", list_view(views.RuleListing), name="rules"),
    path("pricing-rules/new/", views.rule_form, name="rule_new"),
    path("pricing-rules/import/", views.rules_import, name="rules_import"),
    path("pricing-rules/<int:pk>/", views.rule_form, name="rule"),
    path("pricing-rules/<int:pk>/active/", views.rule_active, name="rule_active"),
    path("pricing-rules/<int:pk>/delete/", views.rule_delete, name="rule_delete"),
    path("payment-terms/", list_view(views.PaymentTermsListing), name="payment_terms"),
]
