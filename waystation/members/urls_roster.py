"""Roster import pages, included by members.urls under staff/imports/ (names in `members`)."""

from django.urls import path

from . import views_roster

urlpatterns = [
    path("", views_roster.imports, name="imports"),
    path("template.xlsx", views_roster.import_template, name="import_template"),
    path("<int:pk>/", views_roster.import_detail, name="import_detail"),
    path("<int:pk>/errors.xlsx", views_roster.import_errors, name="import_errors"),
    path("<int:pk>/commit/", views_roster.import_commit, name="import_commit"),
]
