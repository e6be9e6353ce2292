from django.urls import path

from comptoir.closings import views

app_name = "closings"
urlpatterns = [
    path("journal/closings/", views.closings, name="closings"),
    path("journal/closings/<int:pk>/file/", views.closing_file, name="closing_file"),
]
