from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("join/", views.join, name="join"),
    path("staff/", views.staff_home, name="staff_home"),
    path(
        "staff/login/",
        auth_views.LoginView.as_view(template_name="core/login.html"),
        name="login",
    ),
    path("staff/logout/", auth_views.LogoutView.as_view(next_page="/staff/login/"), name="logout"),
    path("staff/audit/", views.audit_log, name="audit_log"),
]
