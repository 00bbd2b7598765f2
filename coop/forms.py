from decimal import Decimal

from django import forms


def money_field(label, required: bool = True, minimum: Decimal = Decimal("0.01")) -> forms.DecimalField:
    """An amount of money, typed the local way (1.234,50 in Spanish), two places."""
    return forms.DecimalField(label=label, max_digits=14, decimal_places=2, min_value=minimum, required=required,
                              localize=True, widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 10}))


class DateInput(forms.DateInput):
    """The browser's date picker; the value travels as 2026-03-31 whatever the language."""

    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)
