from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from ops import views as ops_views

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("health/ready/", ops_views.ready, name="health-ready"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("cooperatives/", views.cooperative_list, name="cooperative_list"),
    path("cooperatives/<int:pk>/", views.cooperative_detail, name="cooperative_detail"),
    path("members/", include("members.urls")),
    path("ledger/", include("ledger.urls")),
    path("exports/", include("exports.urls")),
    path("loans/", include("loans.urls")),
    path("premiums/", include("premiums.urls")),
    path("medfund/", include("medfund.urls")),
    path("reports/", include("reports.urls")),
    path("api/v1/", include("coop.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]

handler404 = "coop.views.not_found"
handler403 = "coop.views.forbidden"
handler500 = "coop.views.server_error"

