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
urlpatterns += [
    path("<int:coop_id>/portfolio/", views.portfolio, name="portfolio"),
    path("<int:coop_id>/rotation/", views.fund_rotation, name="rotation"),
    path("loans/<int:pk>/", views.loan_detail, name="loan"),
    path("loans/<int:pk>/repayments/", views.loan_repayment, name="loan_repayment"),
    path("loans/<int:pk>/write-off/", views.loan_write_off, name="loan_write_off"),
]
urlpatterns += [path("loans/<int:pk>/reschedule/", views.loan_reschedule, name="loan_reschedule")]
