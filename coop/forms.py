from django import forms


class DateInput(forms.DateInput):
    """The browser's date picker; the value travels as 2026-03-31 whatever the language."""

    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)
