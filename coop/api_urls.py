from rest_framework.routers import DefaultRouter

from members import apis as member_apis

from .apis import CooperativeViewSet

router = DefaultRouter()
router.register("cooperatives", CooperativeViewSet, basename="cooperative")
router.register("members", member_apis.MemberViewSet, basename="member")
router.register("household", member_apis.HouseholdMemberViewSet, basename="household")
router.register("plots", member_apis.PlotViewSet, basename="plot")

urlpatterns = router.urls
