from django.urls import path
from rest_framework.routers import DefaultRouter

from ledger import apis as ledger_apis
from members import apis as member_apis

from .apis import CooperativeViewSet

router = DefaultRouter()
router.register("cooperatives", CooperativeViewSet, basename="cooperative")
router.register("members", member_apis.MemberViewSet, basename="member")
router.register("household", member_apis.HouseholdMemberViewSet, basename="household")
router.register("plots", member_apis.PlotViewSet, basename="plot")
router.register("ledger/accounts", ledger_apis.AccountViewSet, basename="ledger-account")
router.register("ledger/transactions", ledger_apis.TransactionViewSet, basename="ledger-transaction")
router.register("ledger/periods", ledger_apis.PeriodViewSet, basename="ledger-period")

urlpatterns = [
    path("ledger/trial-balance/", ledger_apis.TrialBalanceView.as_view(), name="ledger-trial-balance"),
    *router.urls,
]
