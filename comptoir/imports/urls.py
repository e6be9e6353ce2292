from django.urls import path

from comptoir.core.views import list_view
from comptoir.imports import views

app_name = "imports"
urlpatterns = [
    path("", list_view(views.BatchListing), name="batches"),
    path("new/", views.upload, name="upload"),
    path("opening-stock/", views.opening_stock, name="opening_stock"),
    path("template.<str:format>", views.template_download, name="template"),
    path("partners/", list_view(views.PartnerListing), name="partners"),
    path("partners/new/", views.partner_form, name="partner_new"),
    path("partners/<int:pk>/", views.partner_form, name="partner"),
    path("<int:pk>/", views.batch_detail, name="batch"),
    path("<int:pk>/progress/", views.batch_progress, name="progress"),
    path("<int:pk>/process/", views.batch_process, name="process"),
    path("<int:pk>/purge/", views.batch_purge, name="purge"),
    path("<int:pk>/rows.csv", views.batch_export, name="export"),
    path("<int:pk>/documents.pdf", views.batch_documents_pdf, name="documents_pdf"),
    path("<int:pk>/rows/<int:row_pk>/", views.row_edit, name="row"),
]
