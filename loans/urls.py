from django.urls import path

from . import views

app_name = "loans"

urlpatterns = [
    path("", views.loans_home, name="home"),
    path("mine/", views.my_loans, name="mine"),
    path("<int:coop_id>/", views.round_list, name="rounds"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("rounds/<int:pk>/terms/", views.round_revise, name="round_revise"),
    path("rounds/<int:pk>/step/", views.round_step, name="round_step"),
    path("offers/<int:pk>/decline/", views.offer_decline, name="offer_decline"),
]
