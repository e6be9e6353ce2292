from django.urls import path

from comptoir.ereporting import views

app_name = "ereporting"
urlpatterns = [
    path("ereporting/", views.reports, name="reports"),
    path("ereporting/<int:pk>/file/", views.report_file, name="report_file"),
    path("ereporting/<int:pk>/send/", views.send_report, name="send_report"),
]
