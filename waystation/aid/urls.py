from django.urls import path

from . import views, views_claims, views_condolences, views_payouts, views_plans

app_name = "aid"
urlpatterns = [
    # member, on a phone
    path("me/aid/", views.my_aid, name="my_aid"),
    path("me/aid/enrol/<slug:code>/", views.enrol, name="enrol"),
    path("me/aid/sms/", views.sms_setting, name="sms_setting"),
    path("me/aid/claims/new/", views.claim_new, name="claim_new"),
    path("me/aid/claims/<str:number>/", views.claim_detail, name="claim"),
    path("me/aid/claims/<str:number>/documents/", views.document_upload, name="upload"),
    path("me/aid/claims/<str:number>/resubmit/", views.claim_resubmit, name="resubmit"),
    path("aid/documents/<int:pk>/", views.document_file, name="document"),
    # staff
    path("staff/aid/claims/", views_claims.claims, name="staff_claims"),
    path("staff/aid/claims/<str:number>/", views_claims.claim, name="staff_claim"),
    path(
        "staff/aid/claims/<str:number>/<slug:action>/",
        views_claims.claim_action,
        name="claim_action",
    ),
    path("staff/aid/payouts/", views_payouts.payouts, name="payouts"),
    path("staff/aid/payouts/export/", views_payouts.payout_export, name="payout_export"),
    path("staff/aid/payouts/batches/<int:pk>.xlsx", views_payouts.payout_batch_file, name="batch"),
    path(
        "staff/aid/payouts/<int:pk>/<slug:action>/",
        views_payouts.payout_action,
        name="payout_action",
    ),
    path("staff/aid/plans/", views_plans.plans, name="plans"),
    path("staff/aid/plans/new/", views_plans.plan_new, name="plan_new"),
    path("staff/aid/plans/<slug:code>/", views_plans.plan_edit, name="plan_edit"),
    path("staff/aid/plans/<slug:code>/copy/", views_plans.plan_copy, name="plan_copy"),
    path("staff/aid/condolences/", views_condolences.condolences, name="condolences"),
    path("staff/aid/stats/", views_condolences.stats, name="stats"),
]
