"""A report's tables as CSV (one table, or every table one after another) and XLSX (a sheet per
table), with tablib. Money stays a number with two places, dates stay dates."""

import re

import tablib

from .base import Table


def _dataset(table: Table) -> tablib.Dataset:
    dataset = tablib.Dataset(headers=[str(h) for h in table.headers], title=_sheet_title(table.title))
    for row in table.rows:
        dataset.append([_cell(value) for value in row])
    return dataset


def _cell(value):
    # Text a spreadsheet would run as a formula is prefixed with a quote.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _sheet_title(title: str) -> str:
    return re.sub(r"[\[\]\*\?/\\:]", " ", str(title))[:31]


def as_xlsx(tables: list[Table]) -> bytes:
    book = tablib.Databook([_dataset(table) for table in tables])
    return book.export("xlsx")


def as_csv(tables: list[Table]) -> str:
    """UTF-8 with a BOM (Excel reads it); tables after the first follow a blank line and their title."""
    parts = []
    for index, table in enumerate(tables):
        text = _dataset(table).export("csv")
        parts.append(text if index == 0 else f"\r\n{table.title}\r\n{text}")
    return "\ufeff" + "".join(parts)
