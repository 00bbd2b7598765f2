"""Row history (kept by pghistory's triggers) turned into lines a person can read."""

from collections.abc import Callable, Iterable

from django.db import models

HIDDEN_FIELDS = {"id", "created_at", "updated_at", "cooperative", "cooperative_id", "expiry_notice_for"}


def _field_label(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name.removesuffix("_id")).verbose_name)
    except Exception:  # a field since removed from the model
        return name


def _shown(field_name: str, value):
    """A login is shown as present or not, never as a user id."""
    if field_name == "user":
        return "✓" if value else None
    return value


def readable_events(
    events: Iterable,
    models_by_event: dict[str, type[models.Model]],
    name_of: Callable[[type[models.Model], dict], str] = lambda model, data: "",
) -> list[dict]:
    """{when, who, subject, name, created, object, changes} for each event of a known model.

    ``events`` are MiddlewareEvents rows (with ``user``); updates that changed only hidden
    fields are left out.
    """
    rows = []
    for event in events:
        model = models_by_event.get(event.pgh_model)
        if model is None:
            continue
        changes = [
            {"field": _field_label(model, name), "old": _shown(name, old), "new": _shown(name, new)}
            for name, (old, new) in sorted((event.pgh_diff or {}).items())
            if name not in HIDDEN_FIELDS
        ]
        if event.pgh_label == "update" and not changes:
            continue
        rows.append(
            {
                "when": event.pgh_created_at,
                "who": event.user,
                "subject": model._meta.verbose_name,
                "name": name_of(model, event.pgh_data),
                "created": event.pgh_label == "insert",
                "object": event.pgh_data,
                "changes": changes,
            }
        )
    return rows
