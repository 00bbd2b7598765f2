"""Writes of the core: cooperatives and certification expiry notices."""

import datetime
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Certification, Cooperative, Role, RoleAssignment

logger = logging.getLogger(__name__)


def cooperative_create(**fields) -> Cooperative:
    """A new co-op with its books opened: the standard chart of accounts."""
    from ledger.services import chart_of_accounts_create

    with transaction.atomic():
        cooperative = Cooperative(**fields)
        cooperative.full_clean()
        cooperative.save()
        chart_of_accounts_create(cooperative=cooperative)
    return cooperative


def _due(today: datetime.date):
    horizon = today + datetime.timedelta(days=settings.CERTIFICATION_WARNING_DAYS)
    return Certification.objects.filter(expires_on__lte=horizon, expires_on__gte=today).filter(
        Q(expiry_notice_for__isnull=True) | ~Q(expiry_notice_for=F("expires_on"))
    )


def _warn(certification: Certification, recipients, today: datetime.date) -> None:
    for user in recipients:
        with translation.override(user.preferred_language):
            date = formats.date_format(certification.expires_on, "SHORT_DATE_FORMAT")
            days = certification.days_to_expiry(today)
            send_mail(
                subject=_("%(coop)s: %(cert)s expires on %(date)s")
                % {"coop": certification.cooperative.short_name, "cert": certification.label, "date": date},
                message=ngettext(
                    "Certificate %(number)s (%(cert)s, %(certifier)s) of %(coop)s expires on %(date)s, in %(days)s day. Plan the renewal audit.",
                    "Certificate %(number)s (%(cert)s, %(certifier)s) of %(coop)s expires on %(date)s, in %(days)s days. Plan the renewal audit.",
                    days,
                )
                % {"number": certification.number, "cert": certification.label,
                   "certifier": certification.certifier, "coop": certification.cooperative.name,
                   "date": date, "days": days},
                from_email=None,
                recipient_list=[user.email],
            )


def certification_expiry_notify(*, today: datetime.date | None = None) -> int:
    """Email each co-op's administrators once about each certification entering its warning window.

    Each certification is handled in its own transaction: its row is locked (a concurrent run
    skips it), the emails are sent, and the notice is recorded. A failure to send leaves that
    certification unrecorded, to be tried again, without undoing the ones already sent.
    Returns how many certifications were warned about.
    """
    today = today or timezone.localdate()
    warned = 0
    for certification_id in _due(today).order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            # Locked, and re-checked under the lock: another run may have just warned about it.
            certification = (
                _due(today).select_for_update(skip_locked=True, of=("self",)).select_related("cooperative")
                .filter(pk=certification_id).first()
            )
            if certification is None:
                continue
            recipients = [
                assignment.user
                for assignment in RoleAssignment.objects.filter(
                    role=Role.ADMIN, cooperative_id=certification.cooperative_id,
                    user__is_active=True,
                ).exclude(user__email="").select_related("user").order_by("user__username")
            ]
            if not recipients:
                # Not recorded: the warning goes out once an administrator with an email exists.
                logger.warning("No administrator with an email to warn about %s of %s",
                               certification, certification.cooperative)
                continue
            _warn(certification, recipients, today)
            certification.expiry_notice_for = certification.expires_on
            certification.save(update_fields=["expiry_notice_for"])
            warned += 1
    logger.info("Certification expiry notices: %s certifications", warned)
    return warned
