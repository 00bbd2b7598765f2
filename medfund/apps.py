from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MedfundConfig(AppConfig):
    """The emergency medical fund (built by the medical-fund issue)."""

    name = "medfund"
    verbose_name = _("Medical fund")
