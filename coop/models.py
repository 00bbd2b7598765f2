"""The core: cooperatives, their certifications, users and the roles users hold in each co-op.

Every co-op-owned row in the project carries a ``cooperative`` foreign key, so that the data can
later be sharded by cooperative id. Roles are held per cooperative; a user may hold several.
"""

import datetime

import pghistory
from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ops.privileges import NO_DELETE


class Country(models.TextChoices):
    PERU = "PE", _("Peru")
    ECUADOR = "EC", _("Ecuador")


class User(AbstractUser):
    """A person who logs in: staff of a co-op, a member with a login, an importer's program."""

    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default="es"
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")


@pghistory.track()
class Cooperative(models.Model):
    runtime_privileges = NO_DELETE

    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(
        _("short name"), max_length=20, unique=True, help_text=_("For example APOQ.")
    )
    country = models.CharField(_("country"), max_length=2, choices=Country.choices)
    region = models.CharField(_("region"), max_length=100, blank=True)
    currency = models.CharField(
        _("currency"), max_length=3, default="USD", help_text=_("ISO 4217 code of the books.")
    )
    fairtrade_id = models.CharField(_("Fairtrade FLO ID"), max_length=20, blank=True)
    # The letterhead of reports: an address line and a logo (PNG or JPEG, checked by its content).
    address = models.CharField(_("address"), max_length=200, blank=True)
    logo = models.FileField(_("logo"), upload_to="logos/", blank=True,
                            help_text=_("PNG or JPEG, printed on the reports' letterhead."))
    # The household rule: a child is dependent under this age...
    dependent_age_limit = models.PositiveSmallIntegerField(
        _("dependent child age limit"), default=18
    )
    # ... or, while studying, under this one.
    dependent_student_age_limit = models.PositiveSmallIntegerField(
        _("dependent student age limit"), default=25
    )
    minimum_member_age = models.PositiveSmallIntegerField(
        _("minimum age of a member"), default=18, help_text=_("Years, on the join date.")
    )
    share_producer_names = models.BooleanField(
        _("share producers' names with importers"), default=False,
        help_text=_("Otherwise importers see member numbers only in the traceability of their shipments."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["short_name"]
        verbose_name = _("cooperative")
        verbose_name_plural = _("cooperatives")
        constraints = [
            models.CheckConstraint(
                condition=Q(dependent_student_age_limit__gte=F("dependent_age_limit")),
                name="coop_student_age_limit_gte_age_limit",
            ),
            models.CheckConstraint(
                condition=Q(currency__regex=r"^[A-Z]{3}$"), name="coop_currency_iso_code"
            ),
        ]

    def __str__(self):
        return f"{self.short_name} – {self.name}"


class CertificationKind(models.TextChoices):
    FAIRTRADE = "fairtrade", _("Fairtrade")
    ORGANIC_EU = "organic_eu", _("Organic (EU)")
    ORGANIC_USDA = "organic_usda", _("Organic (USDA NOP)")
    CARBON_NEUTRAL = "carbon_neutral", _("Carbon neutral")
    OTHER = "other", _("Other")


@pghistory.track()
class Certification(models.Model):
    cooperative = models.ForeignKey(
        Cooperative,
        on_delete=models.CASCADE,
        related_name="certifications",
        verbose_name=_("cooperative"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=CertificationKind.choices)
    name = models.CharField(
        _("name"), max_length=100, blank=True, help_text=_("Needed when the kind is Other.")
    )
    number = models.CharField(_("certificate number"), max_length=60)
    certifier = models.CharField(_("certifier"), max_length=100)
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"))
    # The expiry date the administrators were last warned about; a renewal warns again.
    expiry_notice_for = models.DateField(_("expiry notice sent for"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["expires_on"]
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__gt=F("issued_on")), name="cert_expiry_after_issue"
            ),
            models.CheckConstraint(
                condition=~Q(kind="other") | ~Q(name=""), name="cert_other_has_name"
            ),
        ]

    def __str__(self):
        return f"{self.label} {self.number}"

    @property
    def label(self):
        return self.name if self.kind == CertificationKind.OTHER else self.get_kind_display()

    def days_to_expiry(self, today: datetime.date | None = None) -> int:
        return (self.expires_on - (today or timezone.localdate())).days

    @property
    def is_expired(self) -> bool:
        return self.days_to_expiry() < 0

    @property
    def is_expiring_soon(self) -> bool:
        """True within the warning window (90 days by default) before expiry."""
        return 0 <= self.days_to_expiry() <= settings.CERTIFICATION_WARNING_DAYS


class Role(models.TextChoices):
    ADMIN = "admin", _("Co-op administrator")
    ACCOUNTANT = "accountant", _("Accountant")
    BOARD = "board", _("Board member")
    COMMITTEE = "committee", _("Medical-fund committee member")
    IMPORTER = "importer", _("Importer")
    CLUSTER_STAFF = "cluster_staff", _("Cluster staff")
    # Not stored as a RoleAssignment: a user is a member of a co-op when a Member record of
    # that co-op has them as its login.
    MEMBER = "member", _("Member")


ASSIGNABLE_ROLES = [choice for choice in Role.choices if choice[0] != Role.MEMBER]


class RoleAssignment(models.Model):
    """A role a user holds in one cooperative. Cluster staff get one row per co-op given."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="role_assignments",
        verbose_name=_("user"),
    )
    cooperative = models.ForeignKey(
        Cooperative,
        on_delete=models.CASCADE,
        related_name="role_assignments",
        verbose_name=_("cooperative"),
    )
    role = models.CharField(_("role"), max_length=20, choices=ASSIGNABLE_ROLES)
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("granted by"),
    )

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "cooperative", "role"], name="one_role_per_user_and_coop"
            ),
            models.CheckConstraint(
                condition=~Q(role="member"), name="member_role_comes_from_member_login"
            ),
        ]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()} – {self.cooperative.short_name}"
