from django.urls import path

from comptoir.catalog import views, views_variants
from comptoir.core.views import list_view

app_name = "catalog"
urlpatterns = [
    path("items/", list_view(views.ItemListing), name="items"),
    path("items/new/", views.item_form, name="item_new"),
    path("items/options/", views.item_options, name="item_options"),
    path("items/<int:pk>/", views.item_form, name="item"),
    path("items/<int:pk>/components/", views.bundle_components, name="bundle_components"),
    path("items/<int:pk>/variants/", views_variants.item_variants, name="item_variants"),
    path("items/attributes/", list_view(views_variants.AttributeListing), name="attributes"),
    path("items/attributes/new/", views_variants.attribute_form, name="attribute_new"),
    path("items/attributes/<int:pk>/", views_variants.attribute_form, name="attribute"),
    path("price-lists/", list_view(views.PriceListListing), name="price_lists"),
    path("price-lists/new/", views.price_list_form, name="price_list_new"),
    path("price-lists/<int:pk>/", views.price_list_detail, name="price_list"),
]
