from django.urls import path

from comptoir.core.views import list_view
from comptoir.supplierinvoices import views

app_name = "supplierinvoices"
urlpatterns = [
    path("supplier-invoices/", list_view(views.SupplierInvoiceListing), name="invoices"),
    path("supplier-invoices/receive/", views.upload, name="upload"),
    path("supplier-invoices/settings/", views.reception_settings, name="settings"),
    path("supplier-invoices/<int:pk>/", views.invoice_detail, name="invoice"),
    path("supplier-invoices/<int:pk>/file/", views.original_file, name="file"),
    path("supplier-invoices/<int:pk>/supplier/", views.choose_supplier, name="supplier"),
    path("supplier-invoices/<int:pk>/match/", views.match_again, name="match"),
    path("supplier-invoices/<int:pk>/approve/", views.approve, name="approve"),
    path("supplier-invoices/<int:pk>/<str:decision>/", views.decide, name="decide"),
]
