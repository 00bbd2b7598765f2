"""All-or-nothing CSV import of members, households and plots.

Every row is read and validated first (cell formats, the row's model rules, uniqueness within
the file and against the register). If any row is wrong nothing is written and the caller gets
every error with its line and column. A correct file is written in one transaction with bulk
statements. Rows match what is already there (members by number, plots by code, household
members by member + name + birth date), so importing the same file twice changes nothing.
"""

import csv
import io
from dataclasses import dataclass, field

import pghistory
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coop.models import Cooperative

from .csv_columns import LAYOUTS, CellError, Column, normalize
from .models import (
    PARTNER_RELATIONSHIPS,
    HouseholdMember,
    Member,
    MemberStatus,
    MemberStatusChange,
    Plot,
)

# A plot's GeoJSON boundary may be a long cell; the csv module's default limit is 128 KB.
csv.field_size_limit(16 * 1024 * 1024)


@dataclass(frozen=True)
class RowError:
    line: int  # the line in the file; the header is line 1
    column: str
    message: str


class ImportRejected(Exception):
    """Nothing was imported; ``errors`` says what to fix."""

    def __init__(self, errors: list[RowError]):
        super().__init__(f"{len(errors)} errors")
        self.errors = errors


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    lines: int = 0


@dataclass
class _Row:
    line: int
    values: dict
    errors: list = field(default_factory=list)


def decode(data: bytes) -> str:
    """UTF-8 (with or without Excel's BOM), else Windows-1252 as Excel saves 'CSV' in Spanish."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="strict")


def _records(reader, errors: list[RowError]):
    """The reader's records; a line the csv module cannot read ends the file with an error."""
    while True:
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            errors.append(RowError(reader.line_num, "", _("This line cannot be read as CSV (%(error)s).") % {"error": error}))
            return


def read_rows(text: str, columns: list[Column]) -> tuple[list[_Row], list[RowError], dict[str, str]]:
    """The rows, the file-level errors, and each known column's header as written in the file."""
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    errors: list[RowError] = []
    header = next(_records(reader, errors), None)
    if header is None:
        return [], errors or [RowError(1, "", _("The file is empty."))], {}
    by_header = {}
    for column in columns:
        for header_name in column.headers():
            by_header[header_name] = column
    positions: dict[str, int] = {}
    for index, name in enumerate(header):
        column = by_header.get(normalize(name))
        if column is None:
            if name.strip():
                errors.append(RowError(1, name, _("Unknown column.")))
            continue
        if column.name in positions:
            errors.append(RowError(1, name, _("This column appears twice.")))
        positions[column.name] = index
    for column in columns:
        if column.required and column.name not in positions:
            errors.append(RowError(1, column.name, _("Required column missing.")))
    if errors:
        return [], errors, {}
    header_of = {name: header[index].strip() for name, index in positions.items()}

    rows = []
    last_line = reader.line_num  # a quoted cell may span lines: count lines, not records
    for cells in _records(reader, errors):
        line_number, last_line = last_line + 1, reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        row = _Row(line=line_number, values={})
        for column in columns:
            index = positions.get(column.name)
            if index is None:
                continue  # a column the file does not have leaves the field as it is
            raw = cells[index] if index < len(cells) else ""
            if "\x00" in raw:
                row.errors.append(RowError(line_number, column.name, _("This cell contains a NUL character.")))
                continue
            if column.required and not raw.strip():
                row.errors.append(RowError(line_number, column.name, _("This value is required.")))
                continue
            try:
                row.values[column.field] = column.parse(raw)
            except CellError as error:
                row.errors.append(RowError(line_number, column.name, str(error)))
        rows.append(row)
    if not rows and not errors:
        errors.append(RowError(2, "", _("The file has a header but no rows.")))
    return rows, errors, header_of


def _clean(instance, row: _Row, columns: list[Column]) -> None:
    """The model's own rules (validators, clean()); errors land on the row's columns."""
    column_for_field = {c.field: c.name for c in columns}
    already_wrong = {e.column for e in row.errors}
    try:
        instance.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        for field_name, messages in error.message_dict.items():
            column = column_for_field.get(field_name, "" if field_name == "__all__" else field_name)
            if column in already_wrong:
                continue  # the cell itself was already reported unreadable
            for message in messages:
                row.errors.append(RowError(row.line, column, message))


def _assign(instance, values: dict, fields) -> bool:
    """Set values on an instance; True when something changed."""
    changed = False
    for name in fields:
        if name in values and getattr(instance, name) != values[name]:
            setattr(instance, name, values[name])
            changed = True
    return changed


def _empty_to_default(values: dict, defaults: dict) -> dict:
    return {k: (defaults[k] if v in ("", None) and k in defaults else v) for k, v in values.items()}


def _import_members(cooperative, actor, rows: list[_Row], result: ImportResult, label: str):
    columns = LAYOUTS["members"]
    existing = {m.number: m for m in Member.objects.filter(cooperative=cooperative)}
    id_owner = {m.national_id: m.number for m in existing.values()}
    fields = [c.field for c in columns if c.field != "status"]
    seen_numbers: dict[str, int] = {}
    seen_ids: dict[str, int] = {}
    to_create, to_update, status_steps = [], [], []
    today = timezone.localdate()
    for row in rows:
        values = _empty_to_default(row.values, {"phone": ""})
        number = values.get("number", "")
        status = values.pop("status", "") or ""
        if number in seen_numbers:
            row.errors.append(RowError(row.line, "member_number", _("Member number %(n)s also on line %(line)s.") % {"n": number, "line": seen_numbers[number]}))
        seen_numbers.setdefault(number, row.line)
        national_id = values.get("national_id", "")
        if national_id in seen_ids:
            row.errors.append(RowError(row.line, "national_id", _("National ID %(id)s also on line %(line)s.") % {"id": national_id, "line": seen_ids[national_id]}))
        seen_ids.setdefault(national_id, row.line)
        owner = id_owner.get(national_id)
        if national_id and owner is not None and owner != number:
            row.errors.append(RowError(row.line, "national_id", _("National ID %(id)s belongs to member %(n)s.") % {"id": national_id, "n": owner}))
        member = existing.get(number)
        if member is None:
            member = Member(cooperative=cooperative, status=MemberStatus.ACTIVE)
            _assign(member, values, fields)
            _clean(member, row, columns)
            to_create.append((member, status, row))
        else:
            changed = _assign(member, values, fields)
            _clean(member, row, columns)
            if status and status != member.status:
                if member.status == MemberStatus.DECEASED:
                    row.errors.append(RowError(row.line, "status", _("A deceased member's status cannot change.")))
                status_steps.append((member, status))
                changed = True
            if changed:
                to_update.append(member)
            else:
                result.unchanged += 1
    _raise_if_errors(rows)

    with transaction.atomic(), pghistory.context(user=actor.pk if actor else None, import_file=label):
        Member.objects.bulk_create([m for m, _s, _r in to_create])
        steps = []
        for member, status, _row in to_create:
            steps.append(MemberStatusChange(cooperative=cooperative, member=member, status=MemberStatus.ACTIVE, effective_on=member.join_date, reason=_("Joined the cooperative"), recorded_by=actor))
            if status and status != MemberStatus.ACTIVE:
                status_steps.append((member, status))
        for member, status in status_steps:
            member.status = status
            steps.append(MemberStatusChange(cooperative=cooperative, member=member, status=status, effective_on=today, reason=_("Imported from %(file)s") % {"file": label}, recorded_by=actor))
        MemberStatusChange.objects.bulk_create(steps)
        now = timezone.now()
        for member in {*to_update, *(m for m, _s in status_steps)}:
            member.updated_at = now  # bulk_update does not apply auto_now
        # Particulars and status apart: a member whose status the file leaves alone keeps the
        # status the register has now, not the one read when the file was checked.
        Member.objects.bulk_update(to_update, [*fields, "updated_at"])
        Member.objects.bulk_update([m for m, _s in status_steps], ["status", "updated_at"])
    result.created += len(to_create)
    result.updated += len(to_update)


def _members_by_number(cooperative, rows: list[_Row]) -> dict[str, Member]:
    numbers = {row.values.get("member_number") for row in rows}
    members = Member.objects.filter(cooperative=cooperative, number__in=numbers).select_related("cooperative")
    by_number = {m.number: m for m in members}
    for row in rows:
        number = row.values.get("member_number")
        if number and number not in by_number:
            row.errors.append(RowError(row.line, "member_number", _("No member %(n)s in this cooperative; import the members file first.") % {"n": number}))
    return by_number


def _check_one_current_partner(existing_people, new_people, row_of) -> None:
    """After the whole file is applied, each member has at most one current spouse or partner.

    Judged on the final state, so the row ending a partnership may come before or after the row
    adding the new one.
    """
    current: dict[int, list] = {}
    for person in [*existing_people, *new_people]:
        if person.relationship in PARTNER_RELATIONSHIPS and person.ended_on is None:
            current.setdefault(person.member_id, []).append(person)
    for partners in current.values():
        if len(partners) < 2:
            continue
        for person in partners:
            row = row_of.get(id(person))
            if row is None:
                continue  # an existing partner the file does not mention
            others = ", ".join(p.full_name for p in partners if p is not person)
            row.errors.append(RowError(row.line, "relationship", _("Member %(n)s would have more than one current spouse or partner (%(name)s); give one of them an end date.") % {"n": person.member.number, "name": others}))


def _import_household(cooperative, actor, rows, result, label):
    columns = LAYOUTS["household"]
    members = _members_by_number(cooperative, rows)
    people = list(HouseholdMember.objects.filter(member__in=members.values()).select_related("member"))
    existing = {(p.member_id, p.first_name.lower(), p.last_name.lower(), p.birth_date): p for p in people}
    fields = [c.field for c in columns if c.field != "member_number"]
    to_create, to_update, seen, row_of = [], [], {}, {}
    for row in rows:
        member = members.get(row.values.get("member_number"))
        if member is None:
            continue
        values = _empty_to_default(row.values, {"national_id": "", "studying": False})
        key = (member.pk, values.get("first_name", "").lower(), values.get("last_name", "").lower(), values.get("birth_date"))
        if key in seen:
            row.errors.append(RowError(row.line, "first_name", _("The same person is also on line %(line)s.") % {"line": seen[key]}))
            continue
        seen[key] = row.line
        person = existing.get(key)
        if person is None:
            person = HouseholdMember(cooperative=cooperative, member=member)
            _assign(person, values, fields)
            to_create.append(person)
        elif _assign(person, values, fields):
            to_update.append(person)
        else:
            result.unchanged += 1
        _clean(person, row, columns)
        row_of[id(person)] = row
    _check_one_current_partner(people, to_create, row_of)
    _raise_if_errors(rows)
    with transaction.atomic(), pghistory.context(user=actor.pk if actor else None, import_file=label):
        # Updates first: a spouse whose partnership ends frees the place for a new one.
        HouseholdMember.objects.bulk_update(to_update, fields)
        HouseholdMember.objects.bulk_create(to_create)
    result.created += len(to_create)
    result.updated += len(to_update)


def _import_plots(cooperative, actor, rows, result, label):
    columns = LAYOUTS["plots"]
    members = _members_by_number(cooperative, rows)
    existing = {p.code: p for p in Plot.objects.filter(cooperative=cooperative).select_related("member")}
    fields = [c.field for c in columns if c.field != "member_number"]
    to_create, to_update, seen = [], [], {}
    for row in rows:
        member = members.get(row.values.get("member_number"))
        if member is None:
            continue
        values = _empty_to_default(row.values, {"name": "", "organic_status": "conventional", "certified_area_ha": 0})
        code = values.get("code")
        if code in seen:
            row.errors.append(RowError(row.line, "plot_code", _("Plot %(code)s also on line %(line)s.") % {"code": code, "line": seen[code]}))
            continue
        seen[code] = row.line
        plot = existing.get(code)
        if plot is None:
            plot = Plot(cooperative=cooperative, member=member)
            _assign(plot, values, fields)
            to_create.append(plot)
        else:
            if plot.member_id != member.pk:
                row.errors.append(RowError(row.line, "plot_code", _("Plot %(code)s belongs to member %(n)s.") % {"code": code, "n": plot.member.number}))
            if _assign(plot, values, fields):
                to_update.append(plot)
            else:
                result.unchanged += 1
        _clean(plot, row, columns)
    _raise_if_errors(rows)
    with transaction.atomic(), pghistory.context(user=actor.pk if actor else None, import_file=label):
        Plot.objects.bulk_create(to_create)
        Plot.objects.bulk_update(to_update, fields)
    result.created += len(to_create)
    result.updated += len(to_update)


def _raise_if_errors(rows: list[_Row]) -> None:
    errors = [error for row in rows for error in row.errors]
    if errors:
        raise ImportRejected(errors)


IMPORTERS = {"members": _import_members, "household": _import_household, "plots": _import_plots}


def register_import(*, cooperative: Cooperative, actor, kind: str, data: bytes, label: str = "CSV") -> ImportResult:
    """Import one CSV file of ``kind`` (members, household or plots) into the co-op, or nothing."""
    if kind not in IMPORTERS:
        raise ImportRejected([RowError(1, "", _("Unknown kind of file: %(kind)s.") % {"kind": kind})])
    try:
        text = decode(data)
    except UnicodeDecodeError as error:
        raise ImportRejected([RowError(1, "", _("The file is neither UTF-8 nor Windows-1252 text."))]) from error
    rows, errors, header_of = read_rows(text, LAYOUTS[kind])
    if errors:
        raise ImportRejected(errors)
    result = ImportResult(lines=len(rows))
    try:
        IMPORTERS[kind](cooperative, actor, rows, result, label)
    except ImportRejected as rejected:
        # Name the columns as the file does (fecha_nacimiento, not birth_date).
        raise ImportRejected(
            [RowError(e.line, header_of.get(e.column, e.column), e.message) for e in rejected.errors]
        ) from None
    except IntegrityError as error:
        # Someone else wrote a clashing row between the checks and the writes; nothing was saved.
        raise ImportRejected([RowError(1, "", _("The register changed while the file was being checked; import it again."))]) from error
    return result
