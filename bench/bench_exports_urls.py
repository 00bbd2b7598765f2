"""The project's URLs plus a bare DRF endpoint, the yardstick of bench_exports.py."""

from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

from coop.urls import urlpatterns as project_urls


class StaticList(APIView):
    """The framework's own cost: authentication, throttling, negotiation, rendering; no query."""

    def get(self, request):
        return Response({"count": 100, "results": [{"id": n, "name": f"row {n}"} for n in range(100)]})


urlpatterns = [path("bench/static/", StaticList.as_view()), *project_urls]
