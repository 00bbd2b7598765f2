from django.urls import path

from . import views

app_name = "premiums"

urlpatterns = [
    path("", views.premiums_home, name="home"),
    path("<int:coop_id>/", views.plans, name="plans"),
    path("<int:coop_id>/<int:year>/", views.year_plan, name="year"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/lines/", views.line_set, name="line_set"),
    path("plans/<int:pk>/approve/", views.plan_approve, name="approve"),
    path("plans/<int:pk>/new-version/", views.plan_new_version, name="new_version"),
    path("plans/<int:pk>/minutes/", views.minutes_download, name="minutes"),
    path("lines/<int:pk>/allocate/", views.allocate, name="allocate"),
    path("lines/<int:pk>/spend/", views.spend, name="spend"),
    path("spending/<int:pk>/receipt/", views.receipt_download, name="receipt"),
]
