from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.home, name="home"),
    path("<int:coop_id>/", views.report_list, name="list"),
    path("<int:coop_id>/ask/", views.report_ask, name="ask"),
    path("<int:coop_id>/email/", views.subscription, name="subscription"),
    path("<int:coop_id>/<slug:kind>/export.<str:fmt>", views.table_export, name="export"),
    path("view/<int:pk>/", views.report_detail, name="report"),
    path("view/<int:pk>/file/", views.report_download, name="download"),
]
