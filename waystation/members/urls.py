from django.urls import include, path

from . import views, views_cards, views_staff

app_name = "members"
urlpatterns = [
    # worker, on a phone
    path("join/<slug:code>/", views.join, name="join"),
    path("me/login/", views.login, name="login"),
    path("me/logout/", views.logout, name="logout"),
    path("me/card/", views_cards.card, name="card"),
    path("me/card/code.json", views_cards.card_code, name="card_code"),
    # staff
    path("staff/members/", views_staff.member_list, name="staff_list"),
    path("staff/members/export.xlsx", views_staff.member_export, name="export"),
    path("staff/members/<str:number>/", views_staff.member_detail, name="staff_detail"),
    path("staff/members/<str:number>/reveal/", views_staff.member_reveal, name="reveal"),
    path("staff/members/<str:number>/status/", views_staff.member_status, name="status"),
    path("staff/members/<str:number>/transfer/", views_staff.member_transfer, name="transfer"),
    path("staff/card/verify/", views_cards.card_verify, name="card_verify"),
    path("staff/campaigns/", views_staff.campaigns, name="campaigns"),
    path("staff/campaigns/<slug:code>/poster.png", views_staff.poster_png, name="poster_png"),
    path("staff/campaigns/<slug:code>/poster.pdf", views_staff.poster_pdf, name="poster_pdf"),
    path("staff/stats/", views_staff.stats, name="stats"),
    path("staff/imports/", include("waystation.members.urls_roster")),
]
