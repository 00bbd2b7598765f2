from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """PDF reports built by Celery with WeasyPrint, and the CSV/XLSX exports of their tables."""

    name = "reports"
    verbose_name = _("Reports")

    def ready(self):
        from . import kinds  # noqa: F401 - each kind registers itself
