from django.contrib.auth import views as auth_views
from django.urls import path

from . import pwa, views

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
    path("staff/notices/", views.notices, name="notices"),
    path("staff/notices/new/", views.notice_edit, name="notice_new"),
    path("staff/notices/<int:pk>/", views.notice_edit, name="notice_edit"),
    # installable and offline (core/pwa.py)
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("offline/", pwa.offline, name="offline"),
]
