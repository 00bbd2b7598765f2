"""Numbers and money shown the local way (es: 1.234,56; en: 1,234.56)."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def money(value, currency: str = "USD"):
    """Two places, grouped, with the currency code: 'USD 1.234,50' in Spanish."""
    if value is None or value == "":
        return ""
    return f"{currency} {number_format(Decimal(value), 2, force_grouping=True)}"


@register.filter
def hectares(value):
    """Hectares with up to 2 places shown: '1.234,25 ha'."""
    if value is None or value == "":
        return ""
    return f"{number_format(Decimal(value), 2, force_grouping=True)} ha"


@register.filter
def grouped(value):
    """An integer with thousands grouping: '10.000'."""
    if value is None or value == "":
        return ""
    return number_format(value, force_grouping=True)


@register.filter
def negate(value):
    """-value: credits are stored negative and shown as positive amounts in their column."""
    return -value


@register.filter
def percent(value):
    """A percentage with one place, the local way: '12,5 %'; a dash when there is none."""
    if value is None or value == "":
        return "–"
    return f"{number_format(Decimal(value), 1)} %"
