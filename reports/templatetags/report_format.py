from django import template
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def css_string(value) -> str:
    """Text as a quoted CSS string, for the page margins' content (inside <style>, where HTML
    escaping does not apply): quotes and backslashes escaped, '<' written as a CSS escape."""
    text = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ").replace("<", "\\3C ")
    return mark_safe(f'"{text}"')  # noqa: S308 - escaped for CSS above


@register.inclusion_tag("reports/_ask_button.html")
def report_button(cooperative, kind: str, label: str, **params):
    """A button that asks for a report of ``kind`` with ``params`` (the page then follows it)."""
    return {"cooperative": cooperative, "kind": kind, "label": label, "params": params.items()}


@register.filter
def batches(rows, size: int):
    """``rows`` in lists of ``size``: a long table is laid out as several shorter ones (WeasyPrint
    lays out one table of thousands of rows in more than linear time)."""
    rows = list(rows)
    return [rows[start:start + int(size)] for start in range(0, len(rows), int(size))]
