from django.urls import path

from . import views, views_csv

app_name = "members"

urlpatterns = [
    path("", views.member_list, name="list"),
    path("new/", views.member_create, name="create"),
    path("me/", views.member_me, name="me"),
    path("import/", views_csv.member_import, name="import"),
    path("export/<str:kind>.csv", views_csv.member_export, name="export"),
    path("<int:pk>/", views.member_detail, name="detail"),
    path("<int:pk>/edit/", views.member_edit, name="edit"),
    path("<int:pk>/status/", views.member_status, name="status"),
    path("<int:pk>/login/", views.member_login, name="login"),
    path("<int:pk>/household/new/", views.household_add, name="household_add"),
    path("<int:pk>/household/<int:person_pk>/edit/", views.household_edit, name="household_edit"),
    path("<int:pk>/plots/new/", views.plot_add, name="plot_add"),
    path("<int:pk>/plots/<int:plot_pk>/edit/", views.plot_edit, name="plot_edit"),
]
