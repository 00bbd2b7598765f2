"""What every kind of report says about itself, and the registry of kinds.

A kind checks its parameters, says who may read it, gathers its data set-based (a few grouped
queries, whatever the co-op's size), and gives the tables behind it for CSV and XLSX. Its PDF is a
template extending ``reports/pdf_base.html`` (letterhead, page numbers, who asked and when)."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from coop.models import Role
from coop.tenancy import has_role

STAFF_READERS = frozenset({Role.ADMIN, Role.ACCOUNTANT, Role.BOARD, Role.CLUSTER_STAFF})


@dataclass
class Table:
    """Rows behind a report, as exported to CSV and XLSX (Decimal and date values kept as such)."""

    title: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)


class ReportKind:
    code: str = ""
    name = ""  # lazy translated
    template: str = ""
    readers: frozenset = STAFF_READERS
    # Whether "Page X of Y" is stamped on the joined PDF afterwards (reports laid out in several
    # parts, whose own page counters each start again), rather than laid out with each page.
    stamped: bool = False

    def clean_params(self, cooperative, data) -> dict:
        """The parameters from a form or query string, checked; a ValidationError names the field."""
        return {}

    def fields(self, cooperative) -> dict:
        """The form fields a person fills in to ask for the report (names as in ``clean_params``)."""
        return {}

    def title(self, cooperative, params: dict) -> str:
        return f"{self.name} · {cooperative.short_name}"

    def allowed(self, user, cooperative_id: int, params: dict) -> bool:
        """May ``user`` read this report about ``params``."""
        return has_role(user, cooperative_id, self.readers)

    def may_ask(self, user, cooperative_id: int) -> bool:
        """May ``user`` ask for some report of this kind in the co-op at all (checked before the
        parameters are, so that their messages tell nothing to others)."""
        return has_role(user, cooperative_id, self.readers)

    def context(self, report) -> dict:
        """What the template shows."""
        raise NotImplementedError

    def parts(self, report) -> list[tuple[str, Callable[[], dict]]]:
        """The report as (template, context maker) parts, laid out one after another and joined.

        One part by default. Long reports are laid out in parts so that time and memory grow with a
        part, not with the whole report (WeasyPrint lays out one long document in more than
        linear time and keeps all of it in memory)."""
        return [(self.template, lambda: self.context(report))]

    def tables(self, cooperative, params: dict, reader=None) -> list[Table]:
        """The tables behind the report, for CSV and XLSX (``reader``: who downloads them)."""
        return []


KINDS: dict[str, ReportKind] = {}


def register(kind_class):
    KINDS[kind_class.code] = kind_class()
    return kind_class


def kind_of(code: str) -> ReportKind:
    try:
        return KINDS[code]
    except KeyError as error:
        raise ValidationError({"kind": _("There is no report of that kind.")}) from error


def int_value(data, name: str, message: str) -> int:
    """A positive integer parameter, or a ValidationError naming it with ``message``."""
    value = str(data.get(name, "")).strip()
    if not value.isdecimal() or len(value) > 9:
        raise ValidationError({name: message})
    return int(value)


def text_value(data, name: str, max_length: int) -> str:
    """A short text parameter, trimmed; NUL characters (PostgreSQL refuses them) dropped."""
    return str(data.get(name, "") or "").replace("\x00", "").strip()[:max_length]


class YearlyReport(ReportKind):
    """A report of a calendar year, asked for by its year."""

    def fields(self, cooperative) -> dict:
        return {"year": forms.IntegerField(label=_("Year"), min_value=2000, initial=timezone.localdate().year)}

    def clean_params(self, cooperative, data) -> dict:
        year = int_value(data, "year", _("Choose the year."))
        if not 2000 <= year <= timezone.localdate().year + 1:
            raise ValidationError({"year": _("A year between 2000 and next year.")})
        return {"year": year}
