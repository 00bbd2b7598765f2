"""Writes of the core: certification expiry notices."""

import datetime
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import Certification, Role, RoleAssignment

logger = logging.getLogger(__name__)


def certification_expiry_notify(*, today: datetime.date | None = None) -> int:
    """Email each co-op's administrators once about each certification entering its warning window.

    Idempotent: a certification is warned about once per expiry date, however often this runs
    (also twice at once: the rows are locked and skipped by a concurrent run).
    """
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=settings.CERTIFICATION_WARNING_DAYS)
    sent = 0
    with transaction.atomic():
        # Lock the due rows; a concurrent run skips them instead of sending a second email.
        due = list(
            Certification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("cooperative")
            .filter(expires_on__lte=horizon, expires_on__gte=today)
            .filter(Q(expiry_notice_for__isnull=True) | ~Q(expiry_notice_for=F("expires_on")))
            .order_by("pk")
        )
        admins = {}
        for assignment in RoleAssignment.objects.filter(
            role=Role.ADMIN, cooperative__in={c.cooperative_id for c in due}
        ).select_related("user"):
            if assignment.user.email and assignment.user.is_active:
                admins.setdefault(assignment.cooperative_id, []).append(assignment.user)
        for certification in due:
            recipients = admins.get(certification.cooperative_id, [])
            if not recipients:
                # Not marked as warned: the warning goes out once an administrator with an email exists.
                logger.warning("No administrator with an email to warn about %s of %s", certification, certification.cooperative)
                continue
            for user in recipients:
                with translation.override(user.preferred_language):
                    send_mail(
                        subject=_("%(coop)s: %(cert)s expires on %(date)s")
                        % {"coop": certification.cooperative.short_name, "cert": certification.label,
                           "date": certification.expires_on.isoformat()},
                        message=_("Certificate %(number)s (%(cert)s, %(certifier)s) of %(coop)s expires on %(date)s, in %(days)s days. Plan the renewal audit.")
                        % {"number": certification.number, "cert": certification.label,
                           "certifier": certification.certifier, "coop": certification.cooperative.name,
                           "date": certification.expires_on.isoformat(),
                           "days": certification.days_to_expiry(today)},
                        from_email=None,
                        recipient_list=[user.email],
                    )
            certification.expiry_notice_for = certification.expires_on
            certification.save(update_fields=["expiry_notice_for"])
            sent += 1
    logger.info("Certification expiry notices: %s certifications", sent)
    return sent
