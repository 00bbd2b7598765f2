from django import template
from django.utils.safestring import mark_safe

register = template.Library()


CSS_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:;·-_/()+#%ªºáéíóúüñÁÉÍÓÚÜÑ")


@register.filter
def css_string(value) -> str:
    """Text as a quoted CSS string, for the page margins' content (inside <style>, where HTML
    escaping does not apply) and a style attribute: every character but plain letters, digits and
    punctuation is written as a CSS escape (quotes, backslashes, <, &, control characters)."""
    text = "".join(char if char in CSS_SAFE else f"\\{ord(char):X} " for char in str(value))
    return mark_safe(f'"{text}"')  # noqa: S308 - nothing unescaped is left that could end the string


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
