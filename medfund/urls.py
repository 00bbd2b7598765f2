from django.urls import path

from . import views

app_name = "medfund"

urlpatterns = [
    path("", views.home, name="home"),
    path("mine/", views.my_claims, name="mine"),
    path("mine/new/", views.my_claim_new, name="mine_new"),
    path("<int:coop_id>/", views.dashboard, name="dashboard"),
    path("<int:coop_id>/claims/", views.claim_list, name="claims"),
    path("<int:coop_id>/claims/new/", views.claim_new_for, name="claim_new_for"),
    path("<int:coop_id>/queue/pay/", views.queue_pay, name="queue_pay"),
    path("claims/<int:pk>/", views.claim_detail, name="claim"),
    path("claims/<int:pk>/review/", views.claim_review, name="claim_review"),
    path("claims/<int:pk>/approve/", views.claim_approve, name="claim_approve"),
    path("claims/<int:pk>/reject/", views.claim_reject, name="claim_reject"),
    path("claims/<int:pk>/pay/", views.claim_pay, name="claim_pay"),
    path("claims/<int:pk>/documents/", views.document_add, name="document_add"),
    path("documents/<int:pk>/", views.document_download, name="document"),
]
