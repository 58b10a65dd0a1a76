from django.urls import path

from . import views

app_name = "planner"
urlpatterns = [
    path("staff/planning/", views.index, name="index"),
    path("staff/planning/new/", views.create, name="create"),
    path("staff/planning/task/", views.task, name="task"),
    path("staff/planning/<int:pk>/", views.detail, name="detail"),
    path("staff/planning/<int:pk>/layers.geojson", views.layers_geojson, name="geojson"),
    path("staff/planning/<int:pk>/report.xlsx", views.report_xlsx, name="xlsx"),
]
