from django.urls import path
from rest_framework.routers import DefaultRouter

from exports import apis as export_apis
from ledger import apis as ledger_apis
from loans import apis as loan_apis
from medfund import apis as medfund_apis
from members import apis as member_apis
from premiums import apis as premium_apis
from reports import apis as report_apis

from .apis import CooperativeViewSet

router = DefaultRouter()
router.register("cooperatives", CooperativeViewSet, basename="cooperative")
router.register("members", member_apis.MemberViewSet, basename="member")
router.register("household", member_apis.HouseholdMemberViewSet, basename="household")
router.register("plots", member_apis.PlotViewSet, basename="plot")
router.register("shipments", export_apis.ShipmentViewSet, basename="shipment")
router.register("loans/policies", loan_apis.LoanPolicyViewSet, basename="loan-policy")
router.register("loans/rounds", loan_apis.LoanRoundViewSet, basename="loan-round")
router.register("loans/loans", loan_apis.LoanViewSet, basename="loan")
router.register("loans/repayments", loan_apis.RepaymentViewSet, basename="loan-repayment")
router.register("medfund/claims", medfund_apis.ClaimViewSet, basename="medfund-claim")
router.register("reports", report_apis.ReportViewSet, basename="report")
router.register("ledger/accounts", ledger_apis.AccountViewSet, basename="ledger-account")
router.register("ledger/transactions", ledger_apis.TransactionViewSet, basename="ledger-transaction")
router.register("ledger/periods", ledger_apis.PeriodViewSet, basename="ledger-period")
router.register("premiums/plans", premium_apis.PlanViewSet, basename="premium-plan")
router.register("premiums/allocations", premium_apis.AllocationViewSet, basename="premium-allocation")
router.register("premiums/spending", premium_apis.SpendingViewSet, basename="premium-spending")

urlpatterns = [
    path("premiums/reconciliation/", export_apis.PremiumReconciliationView.as_view(), name="premium-reconciliation"),
    path("medfund/dashboard/", medfund_apis.DashboardView.as_view(), name="medfund-dashboard"),
    path("ledger/trial-balance/", ledger_apis.TrialBalanceView.as_view(), name="ledger-trial-balance"),
    *router.urls,
]
