from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PremiumsConfig(AppConfig):
    """The Fairtrade premium and its use (built by the ledger and premium issue)."""

    name = "premiums"
    verbose_name = _("Fairtrade premium")
