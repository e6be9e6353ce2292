from django.contrib.auth import views as auth_views
from django.urls import path

from comptoir.web import views
from comptoir.web.forms import LoginForm

app_name = "web"
urlpatterns = [
    path("login/", auth_views.LoginView.as_view(form_class=LoginForm), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.home, name="home"),
    path("actions/<str:kind>/<int:pk>/<str:name>/", views.document_action, name="action"),
    path("settings/company/", views.company, name="company"),
    path("settings/users/", views.users, name="users"),
    path("settings/users/new/", views.user_new, name="user_new"),
    path("settings/users/<int:pk>/", views.user, name="user"),
    path("settings/tokens/", views.tokens, name="tokens"),
    path("settings/messages/", views.message_template, name="message_template_invoice"),
    path("settings/messages/<str:kind>/", views.message_template, name="message_template"),
]
