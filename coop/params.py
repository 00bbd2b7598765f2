"""Query-string values read leniently: a malformed value is absent, never an error or a 500."""

import datetime

from django.utils.dateparse import parse_date


def date_or_none(text: str) -> datetime.date | None:
    try:
        return parse_date(text or "")
    except ValueError:  # well formed but impossible, e.g. 2026-02-30
        return None


def int_param(params, name: str) -> int | None:
    """A positive id from ``params`` (a QueryDict); digits only and short enough for a bigint."""
    value = params.get(name, "")
    return int(value) if value.isdecimal() and len(value) < 10 else None


def date_param(params, name: str) -> datetime.date | None:
    return date_or_none(params.get(name, ""))


def text_param(params, name: str, max_length: int = 100) -> str:
    """Free text, trimmed and cut to ``max_length``; NUL characters (PostgreSQL refuses them) dropped."""
    return (params.get(name) or "").replace("\x00", "").strip()[:max_length]
