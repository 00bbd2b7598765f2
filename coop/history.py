"""Row history (kept by pghistory's triggers) turned into lines a person can read."""

import datetime
from collections.abc import Callable, Iterable
from decimal import Decimal

from django.db import models
from django.utils import formats
from django.utils.translation import gettext as _

HIDDEN_FIELDS = {"id", "created_at", "updated_at", "cooperative", "cooperative_id", "expiry_notice_for"}


def _field(model, name: str):
    try:
        return model._meta.get_field(name.removesuffix("_id"))
    except Exception:  # a field since removed from the model
        return None


def _shown(field, name: str, value):
    """A value as a person reads it: choice labels, local dates, yes/no; a login as present or not."""
    if value is None or field is None:
        return value
    if name in ("user", "user_id"):
        return "✓" if value else None
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(field, models.BooleanField):
        return _("yes") if value else _("no")
    if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
        try:
            return formats.date_format(datetime.date.fromisoformat(value), "SHORT_DATE_FORMAT")
        except (TypeError, ValueError):
            return value
    if isinstance(field, models.DecimalField):
        return formats.number_format(Decimal(str(value)).normalize())
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
        changes = []
        for name, (old, new) in sorted((event.pgh_diff or {}).items()):
            if name in HIDDEN_FIELDS:
                continue
            field = _field(model, name)
            label = str(field.verbose_name) if field is not None else name
            changes.append({"field": label, "old": _shown(field, name, old), "new": _shown(field, name, new)})
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
