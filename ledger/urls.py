from django.urls import path

from . import views

app_name = "ledger"

urlpatterns = [
    path("", views.ledger_home, name="home"),
    path("<int:coop_id>/", views.trial_balance, name="trial_balance"),
    path("<int:coop_id>/journal/", views.journal, name="journal"),
    path("<int:coop_id>/transactions/new/", views.transaction_create, name="transaction_create"),
    path("<int:coop_id>/periods/", views.periods, name="periods"),
    path("accounts/<int:pk>/", views.account_statement, name="account"),
    path("transactions/<int:pk>/", views.transaction_detail, name="transaction"),
    path("transactions/<int:pk>/reverse/", views.transaction_reverse, name="transaction_reverse"),
    path("periods/<int:pk>/reopen/", views.period_reopen, name="period_reopen"),
]
