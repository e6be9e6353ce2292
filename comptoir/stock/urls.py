from django.urls import path

from comptoir.core.views import list_view
from comptoir.stock import views

app_name = "stock"
urlpatterns = [
    path("deliveries/", list_view(views.DeliveryListing), name="deliveries"),
    path("deliveries/<int:pk>/", views.delivery_detail, name="delivery"),
    path("orders/<int:pk>/deliver/", views.order_deliver, name="order_deliver"),
]
