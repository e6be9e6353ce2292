from django.urls import path

from comptoir.supplierinvoices import views

app_name = "supplierinvoices"
urlpatterns = [
    path("supplier-invoices/", views.invoice_list, name="invoices"),
    path("supplier-invoices/platform-files/", views.incoming_flows, name="flows"),
    path("supplier-invoices/platform-files/<int:pk>/", views.incoming_flow_file, name="flow_file"),
    path("supplier-invoices/receive/", views.upload, name="upload"),
    path("supplier-invoices/settings/", views.reception_settings, name="settings"),
    path("supplier-invoices/<int:pk>/", views.invoice_detail, name="invoice"),
    path("supplier-invoices/<int:pk>/file/", views.original_file, name="file"),
    path("supplier-invoices/<int:pk>/supplier/", views.choose_supplier, name="supplier"),
    path("supplier-invoices/<int:pk>/match/", views.match_again, name="match"),
    path("supplier-invoices/<int:pk>/approve/", views.approve, name="approve"),
    path("supplier-invoices/decisions/<int:pk>/send/", views.send_again, name="send_again"),
    path("supplier-invoices/<int:pk>/<str:decision>/", views.decide, name="decide"),
]
