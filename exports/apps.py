from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExportsConfig(AppConfig):
    """Importers, shipments and producers' deliveries (built by the exports issue)."""

    name = "exports"
    verbose_name = _("Exports")
