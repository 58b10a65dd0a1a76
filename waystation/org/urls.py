from django.urls import path

from . import views

app_name = "org"
urlpatterns = [
    path("staff/org/", views.index, name="index"),
    path("staff/org/vocabulary/", views.vocabulary, name="vocabulary"),
    path("staff/org/<str:adcode>/", views.city_page, name="city"),
]
