from pghistory.models import MiddlewareEvents

from .history import readable_events
from .models import Certification, Cooperative

HISTORY_MODELS = {"coop.CooperativeEvent": Cooperative, "coop.CertificationEvent": Certification}


def _event_name(model, data: dict) -> str:
    return data.get("number", "") if model is Certification else ""


def cooperative_history(*, cooperative: Cooperative, limit: int = 100) -> list[dict]:
    """Changes to the co-op's own record and its certifications, newest first."""
    events = (
        MiddlewareEvents.objects.across(*HISTORY_MODELS)
        .references(cooperative)
        .select_related("user")
        .order_by("-pgh_created_at", "-pgh_id")[:limit]
    )
    return readable_events(events, HISTORY_MODELS, _event_name)
