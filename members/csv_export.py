"""CSV export of the register in the layouts the import reads back (csv_columns.py)."""

import csv
import json
from collections.abc import Iterator

from .csv_columns import LAYOUTS
from .models import HouseholdMember, Plot


class _Echo:
    def write(self, value):
        return value


# A spreadsheet runs a cell that starts with one of these as a formula; such text gets a
# leading apostrophe (shown by no spreadsheet, removed again by the import).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    if isinstance(value, bool):
        return "si" if value else "no"
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def export_rows(kind: str, members) -> Iterator[str]:
    """CSV lines (UTF-8 with a BOM, so Excel shows accents) for the given members' ``kind``."""
    columns = LAYOUTS[kind]
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([c.name for c in columns])
    if kind == "members":
        records = members.order_by("number").iterator(chunk_size=2000)
        for member in records:
            yield writer.writerow([_cell(getattr(member, c.field)) for c in columns])
        return
    model = HouseholdMember if kind == "household" else Plot
    records = (
        model.objects.filter(member__in=members.values("pk"))
        .select_related("member")
        .order_by("member__number", "pk")
        .iterator(chunk_size=2000)
    )
    for record in records:
        yield writer.writerow(
            [
                record.member.number if c.field == "member_number" else _cell(getattr(record, c.field))
                for c in columns
            ]
        )
