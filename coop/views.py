from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from members.permissions import can_read_register
from members.selectors import member_own

from . import selectors
from .models import Cooperative
from .permissions import cooperatives_visible_to


@login_required
def home(request):
    """Staff land on the member register; a member on their own page."""
    if can_read_register(request.user):
        return redirect("members:list")
    if member_own(user=request.user) is not None:
        return redirect("members:me")
    return render(request, "coop/no_access.html", status=403)


@never_cache
def health(request):
    """For load balancers and docker-compose: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@login_required
def cooperative_list(request):
    cooperatives = cooperatives_visible_to(request.user).prefetch_related("certifications")
    if not cooperatives.exists():
        raise Http404
    return render(request, "coop/cooperative_list.html", {"cooperatives": cooperatives})


@login_required
def cooperative_detail(request, pk: int):
    try:
        cooperative = (
            cooperatives_visible_to(request.user).prefetch_related("certifications").get(pk=pk)
        )
    except Cooperative.DoesNotExist as error:
        raise Http404 from error
    context = {"cooperative": cooperative, "history": selectors.cooperative_history(cooperative=cooperative)}
    return render(request, "coop/cooperative_detail.html", context)


def _for_api(request) -> bool:
    """A request under /api/ answers in the API's JSON error format, also when no route matched."""
    return request.path.startswith("/api/")


def not_found(request, exception=None):
    if _for_api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return render(request, "404.html", status=404)


def forbidden(request, exception=None):
    if _for_api(request):
        return JsonResponse({"detail": "You do not have permission to perform this action."}, status=403)
    return render(request, "403.html", status=403)


def server_error(request):
    if _for_api(request):
        return JsonResponse({"detail": "Server error."}, status=500)
    return render(request, "500.html", status=500)
