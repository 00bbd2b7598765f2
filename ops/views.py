from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from . import health


@never_cache
def ready(request):
    """For load balancers and monitoring: 200 when everything the app needs answers, else 503 with
    the checks that failed. No login; no URLs or passwords in what it shows."""
    report = health.readiness()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)
