from django.urls import path

from comptoir.core.views import list_view
from comptoir.pricing import views

app_name = "pricing"
urlpatterns = [
    path("taxes/", list_view(views.TaxListing), name="taxes"),
    path("taxes/new/", views.tax_form, name="tax_new"),
    path("taxes/<int:pk>/", views.tax_form, name="tax"),
    path("why-this-price/", views.why_price, name="why_price"),
    path("pricing-rules/", list_view(views.RuleListing), name="rules"),
    path("pricing-rules/new/", views.rule_form, name="rule_new"),
    path("pricing-rules/import/", views.rules_import, name="rules_import"),
    path("pricing-rules/<int:pk>/", views.rule_form, name="rule"),
    path("pricing-rules/<int:pk>/active/", views.rule_active, name="rule_active"),
    path("pricing-rules/<int:pk>/delete/", views.rule_delete, name="rule_delete"),
    path("payment-terms/", list_view(views.PaymentTermsListing), name="payment_terms"),
    path("shipping-methods/", list_view(views.ShippingMethodListing), name="shipping_methods"),
    path("shipping-zones/", list_view(views.ShippingZoneListing), name="shipping_zones"),
    path("shipping-rules/", list_view(views.ShippingRuleListing), name="shipping_rules"),
    path(
        "shipping-methods/new/",
        views.shipping_form(views.ShippingMethod),
        name="shipping_method_new",
    ),
    path(
        "shipping-methods/<int:pk>/",
        views.shipping_form(views.ShippingMethod),
        name="shipping_method",
    ),
    path("shipping-zones/new/", views.shipping_form(views.ShippingZone), name="shipping_zone_new"),
    path("shipping-zones/<int:pk>/", views.shipping_form(views.ShippingZone), name="shipping_zone"),
    path("shipping-rules/new/", views.shipping_form(views.ShippingRule), name="shipping_rule_new"),
    path("shipping-rules/<int:pk>/", views.shipping_form(views.ShippingRule), name="shipping_rule"),
    path("promotions/", list_view(views.PromotionListing), name="promotions"),
    path("promotions/new/", views.promotion_form, name="promotion_new"),
    path("promotions/<int:pk>/", views.promotion_form, name="promotion"),
    path("coupons/", list_view(views.CouponListing), name="coupons"),
    path("coupons/new/", views.coupon_form, name="coupon_new"),
    path("coupons/generate/", views.coupon_generate, name="coupon_generate"),
    path("coupons/codes.csv", views.coupon_codes_csv, name="coupon_codes_csv"),
    path("coupons/<int:pk>/", views.coupon_form, name="coupon"),
]
