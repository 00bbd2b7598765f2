from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoopConfig(AppConfig):
    name = "coop"
    verbose_name = _("Cooperatives")
