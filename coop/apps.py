from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoopConfig(AppConfig):
    name = "coop"
    verbose_name = _("Cooperatives")

    def ready(self):
        from . import history_functions

        # After pghistory and pgtrigger have installed theirs (coop comes later in INSTALLED_APPS).
        post_migrate.connect(history_functions.install, sender=self, dispatch_uid="coop-history-functions")
