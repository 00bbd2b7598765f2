"""Numbers in messages, shown the reader's way (es: 1.234,50)."""

from decimal import Decimal

from django.utils import formats


def amount_text(amount: Decimal) -> str:
    return formats.number_format(amount, 2, force_grouping=True)
