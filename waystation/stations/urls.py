from django.urls import path

from . import views, views_staff

app_name = "stations"
urlpatterns = [
    # public, on a phone
    path("stations/", views.station_map, name="map"),
    path("stations/districts.geojson", views.districts_geojson, name="districts"),
    path("stations/nearest/", views.nearest, name="nearest"),
    path("stations/my-reports/", views.my_reports, name="my_reports"),
    path("stations/<str:code>/", views.detail, name="detail"),
    path("stations/<str:code>/checkin/", views.checkin, name="checkin"),
    path("stations/<str:code>/checkin/done/", views.checkin_done, name="checkin_done"),
    path("stations/<str:code>/report/", views.report, name="report"),
    path("stations/<str:code>/report/done/", views.report_done, name="report_done"),
    path("stations/<str:code>/photos/<str:name>", views.station_photo, name="photo"),
    # staff
    path("staff/stations/", views_staff.station_list, name="staff_list"),
    path("staff/stations/export.xlsx", views_staff.station_export, name="export"),
    path("staff/stations/import/", views_staff.station_import, name="import"),
    path("staff/stations/map/", views_staff.staff_map, name="staff_map"),
    path("staff/stations/map.geojson", views_staff.staff_map_layer, name="staff_map_layer"),
    path("staff/stations/reports/", views_staff.report_list, name="staff_reports"),
    path("staff/stations/reports/<int:pk>/", views_staff.report_detail, name="staff_report"),
    path("staff/stations/reports/<int:pk>/photo", views_staff.report_photo, name="report_photo"),
    path("staff/stations/<str:code>/", views_staff.station_detail, name="staff_detail"),
    path("staff/stations/<str:code>/edit/", views_staff.station_edit, name="staff_edit"),
    path(
        "staff/stations/<str:code>/exceptions/",
        views_staff.exception_add,
        name="exception_add",
    ),
    path(
        "staff/stations/<str:code>/exceptions/<int:pk>/delete/",
        views_staff.exception_delete,
        name="exception_delete",
    ),
    path("staff/stations/<str:code>/photos/", views_staff.photo_add, name="photo_add"),
    path(
        "staff/stations/<str:code>/photos/<int:pk>/delete/",
        views_staff.photo_delete,
        name="photo_delete",
    ),
    path("staff/stations/<str:code>/poster.png", views_staff.poster_png, name="poster_png"),
    path("staff/stations/<str:code>/poster.pdf", views_staff.poster_pdf, name="poster_pdf"),
    path(
        "staff/stations/<str:code>/poster/reissue/",
        views_staff.poster_reissue,
        name="poster_reissue",
    ),
]
