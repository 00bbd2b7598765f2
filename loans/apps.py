from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoansConfig(AppConfig):
    """Quarterly interest-free loans (built by the loans issue)."""

    name = "loans"
    verbose_name = _("Loans")
