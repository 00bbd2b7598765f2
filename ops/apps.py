from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    name = "ops"
    verbose_name = _("Operations")

    def ready(self):
        from . import privileges

        # Last in INSTALLED_APPS: every other app's tables exist by the time this runs.
        post_migrate.connect(privileges.grant_after_migrate, sender=self, dispatch_uid="ops-grant-runtime-role")
