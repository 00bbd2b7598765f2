from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    """The co-op's double-entry, append-only ledger; premiums, exports, loans and medfund post here."""

    name = "ledger"
    verbose_name = _("Ledger")
