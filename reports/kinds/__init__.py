"""Every kind of report; importing this module registers them."""

from . import books, loans, medfund, premium, shipments  # noqa: F401
