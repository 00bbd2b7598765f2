"""The member register: producers, their households and their plots.

A member is never deleted once registered: leaving the co-op, suspension and death are statuses
with a dated history. Row history of every table here is kept by database triggers (pghistory),
so it also covers bulk writes and raw SQL.
"""

import datetime
from decimal import Decimal

import pghistory
import pgtrigger
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models, router
from django.db.models import F, Q
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from coop.models import Cooperative
from ops.privileges import APPEND_ONLY, NO_DELETE

from .validators import validate_geojson_polygon, validate_national_id


class Sex(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")


class MemberStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    DECEASED = "deceased", _("Deceased")


# The field a constraint's violation is about. Django reports a constraint over several fields
# (cooperative + number) on no field, so a form would show "This member number is already used"
# away from the member number; services also use this when the database itself refuses a row.
CONSTRAINT_FIELDS = {
    "member_number_unique_in_coop": "number",
    "member_national_id_unique_in_coop": "national_id",
    "plot_code_unique_in_coop": "code",
    "one_current_spouse_or_partner": "relationship",
}


class ConstraintErrorsOnFields(models.Model):
    """Model.validate_constraints, with each error on the field CONSTRAINT_FIELDS names."""

    class Meta:
        abstract = True

    def validate_constraints(self, exclude=None):
        using = router.db_for_write(self.__class__, instance=self)
        errors = {}
        for model_class, constraints in self.get_constraints():
            for constraint in constraints:
                try:
                    constraint.validate(model_class, self, exclude=exclude, using=using)
                except ValidationError as error:
                    field_name = CONSTRAINT_FIELDS.get(constraint.name)
                    if field_name:
                        errors.setdefault(field_name, []).extend(error.error_list)
                    else:
                        errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)


def _no_future_dates(instance, field_names, errors: dict) -> None:
    today = timezone.localdate()
    for name in field_names:
        value = getattr(instance, name)
        if value and value > today and name not in errors:
            errors[name] = [_("The date cannot be in the future.")]


def hectares_text(value: Decimal) -> str:
    """1.7500 -> '1,75' in Spanish: for messages, without the stored trailing zeros."""
    normalized = value.normalize()
    return formats.number_format(normalized if normalized.as_tuple().exponent < 0 else value.quantize(Decimal(1)))


def age_on(birth_date: datetime.date, on: datetime.date) -> int:
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


@pghistory.track()
class Member(ConstraintErrorsOnFields):
    runtime_privileges = NO_DELETE

    # PROTECT: a co-op with members keeps its register; it is never deleted with them.
    cooperative = models.ForeignKey(
        Cooperative, on_delete=models.PROTECT, related_name="members", verbose_name=_("cooperative")
    )
    number = models.CharField(
        _("member number"), max_length=20, help_text=_("Unique within the cooperative.")
    )
    first_name = models.CharField(_("first names"), max_length=100)
    last_name = models.CharField(_("last names"), max_length=100)
    national_id = models.CharField(
        _("national ID"), max_length=20, help_text=_("DNI (Peru, 8 digits) or cédula (Ecuador).")
    )
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("birth date"))
    phone = models.CharField(
        _("phone"), max_length=30, blank=True,
        validators=[RegexValidator(r"^\+?[0-9][0-9 ()-]{5,19}$", _("Write the phone with digits, e.g. 968 123 456 or +51 968123456."))],
    )
    village = models.CharField(_("village / sector"), max_length=100)
    join_date = models.DateField(_("join date"))
    # Kept equal to the newest MemberStatusChange by services.member_status_change.
    status = models.CharField(
        _("status"), max_length=12, choices=MemberStatus.choices, default=MemberStatus.ACTIVE
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="member",
        verbose_name=_("login"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        # Leaving, suspension and death are statuses; the database refuses to delete a member.
        triggers = [pgtrigger.Protect(name="member_never_deleted", operation=pgtrigger.Delete)]
        ordering = ["last_name", "first_name", "number"]
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [
            models.UniqueConstraint(
                fields=["cooperative", "number"],
                name="member_number_unique_in_coop",
                violation_error_message=_("This member number is already used in the cooperative."),
            ),
            models.UniqueConstraint(
                fields=["cooperative", "national_id"],
                name="member_national_id_unique_in_coop",
                violation_error_message=_("This national ID is already registered in the cooperative."),
            ),
            models.CheckConstraint(
                condition=Q(join_date__gt=F("birth_date")), name="member_joined_after_birth"
            ),
            # Target of the (member, cooperative) foreign keys that keep a member's plots,
            # household and status steps in the member's own co-op (migration 0003).
            models.UniqueConstraint(fields=["id", "cooperative"], name="member_id_cooperative_key"),
        ]
        indexes = [
            # The register's sort order, so a page is read off the index without sorting.
            models.Index(fields=["cooperative", "last_name", "first_name", "number", "id"], name="member_name_idx"),
            models.Index(fields=["cooperative", "status"], name="member_status_idx"),
            models.Index(fields=["cooperative", "village"], name="member_village_idx"),
        ]

    def __str__(self):
        return f"{self.full_name} ({self.number})"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def clean(self):
        errors = {}
        if self.national_id and self.cooperative_id:
            try:
                validate_national_id(self.cooperative.country, self.national_id)
            except ValidationError as error:
                errors["national_id"] = error.messages
        if self.birth_date and self.join_date and self.join_date <= self.birth_date:
            errors["join_date"] = [_("The join date must be after the birth date.")]
        elif self.birth_date and self.join_date and self.cooperative_id:
            minimum = self.cooperative.minimum_member_age
            if age_on(self.birth_date, self.join_date) < minimum:
                errors["join_date"] = [
                    _("A member must be at least %(age)s years old on the join date.") % {"age": minimum}
                ]
        _no_future_dates(self, ["birth_date", "join_date"], errors)
        if errors:
            raise ValidationError(errors)


@pghistory.track()
class MemberStatusChange(models.Model):
    """One dated step in a member's status history. Append-only: corrections are new steps."""

    runtime_privileges = APPEND_ONLY

    cooperative = models.ForeignKey(Cooperative, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="status_changes", verbose_name=_("member")
    )
    status = models.CharField(_("status"), max_length=12, choices=MemberStatus.choices)
    effective_on = models.DateField(_("effective on"))
    reason = models.CharField(_("reason"), max_length=300)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        # The status history is append-only: a correction is a new step.
        triggers = [pgtrigger.Protect(name="status_history_append_only", operation=pgtrigger.Update | pgtrigger.Delete)]
        ordering = ["-effective_on", "-recorded_at", "-id"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        indexes = [models.Index(fields=["member", "effective_on"], name="status_change_member_idx")]

    def __str__(self):
        return f"{self.member_id}: {self.status} {self.effective_on}"


class Relationship(models.TextChoices):
    SPOUSE = "spouse", _("Spouse")
    PARTNER = "partner", _("Partner")
    CHILD = "child", _("Child")
    OTHER = "other", _("Other relative")


PARTNER_RELATIONSHIPS = (Relationship.SPOUSE, Relationship.PARTNER)


@pghistory.track()
class HouseholdMember(ConstraintErrorsOnFields):
    """A person of a member's household: spouse or partner, a child, another relative."""

    cooperative = models.ForeignKey(Cooperative, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="household", verbose_name=_("member")
    )
    relationship = models.CharField(_("relationship"), max_length=10, choices=Relationship.choices)
    first_name = models.CharField(_("first names"), max_length=100)
    last_name = models.CharField(_("last names"), max_length=100)
    national_id = models.CharField(_("national ID"), max_length=20, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("birth date"))
    studying = models.BooleanField(
        _("studying"), default=False, help_text=_("For children: counts for the student age rule.")
    )
    since = models.DateField(
        _("since"), null=True, blank=True, help_text=_("For a spouse or partner: since when.")
    )
    # A relationship that ended (a separation, a death) keeps its row; it is no longer current.
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["relationship", "birth_date"]
        verbose_name = _("household member")
        verbose_name_plural = _("household members")
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(relationship__in=["spouse", "partner"], ended_on__isnull=True),
                name="one_current_spouse_or_partner",
                violation_error_message=_("The member already has a current spouse or partner."),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(since__isnull=True) | Q(ended_on__gte=F("since")),
                name="household_ended_after_since",
            ),
        ]

    def __str__(self):
        return f"{self.first_name} {self.last_name} ({self.get_relationship_display()})"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def is_current(self) -> bool:
        return self.ended_on is None

    def age(self, on: datetime.date) -> int:
        return age_on(self.birth_date, on)

    def is_dependent_on(self, on: datetime.date, cooperative: Cooperative | None = None) -> bool:
        """A child under the co-op's age limit, or under the student limit while studying."""
        if self.relationship != Relationship.CHILD or self.birth_date > on:
            return False
        if self.ended_on is not None and self.ended_on <= on:
            return False
        coop = cooperative or self.cooperative
        age = self.age(on)
        return age < coop.dependent_age_limit or (
            self.studying and age < coop.dependent_student_age_limit
        )

    def clean(self):
        errors = {}
        if self.ended_on and self.since and self.ended_on < self.since:
            errors["ended_on"] = [_("The end date must not be before the start date.")]
        if self.national_id and self.cooperative_id:
            try:
                validate_national_id(self.cooperative.country, self.national_id)
            except ValidationError as error:
                errors["national_id"] = error.messages
        _no_future_dates(self, ["birth_date", "since", "ended_on"], errors)
        if errors:
            raise ValidationError(errors)


class OrganicStatus(models.TextChoices):
    CONVENTIONAL = "conventional", _("Conventional")
    IN_CONVERSION = "in_conversion", _("In conversion")
    CERTIFIED = "certified", _("Certified organic")


class BananaVariety(models.TextChoices):
    CAVENDISH = "cavendish", _("Cavendish (Gran Enano)")
    WILLIAMS = "williams", _("Williams")
    VALERY = "valery", _("Valery")
    BABY = "baby", _("Baby banana (Orito)")
    RED = "red", _("Red banana")
    OTHER = "other", _("Other")


HECTARES = {"max_digits": 9, "decimal_places": 4}


@pghistory.track()
class Plot(ConstraintErrorsOnFields):
    cooperative = models.ForeignKey(Cooperative, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="plots", verbose_name=_("member")
    )
    code = models.CharField(_("code"), max_length=30, help_text=_("Unique within the cooperative."))
    name = models.CharField(_("name"), max_length=100, blank=True)
    # Hectares, 4 places; always > 0.
    area_ha = models.DecimalField(
        _("area (ha)"), **HECTARES, validators=[MinValueValidator(Decimal("0.0001"))]
    )
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    boundary = models.JSONField(
        _("boundary (GeoJSON)"), null=True, blank=True, validators=[validate_geojson_polygon]
    )
    variety = models.CharField(_("banana variety"), max_length=20, choices=BananaVariety.choices)
    organic_status = models.CharField(
        _("organic status"), max_length=16, choices=OrganicStatus.choices,
        default=OrganicStatus.CONVENTIONAL,
    )
    organic_since = models.DateField(
        _("organic status since"), null=True, blank=True,
        help_text=_("Start of conversion, or date of certification."),
    )
    # Hectares; 0 <= certified area <= area.
    certified_area_ha = models.DecimalField(
        _("certified area (ha)"), **HECTARES, default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    last_inspection_on = models.DateField(_("last internal inspection"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("plot")
        verbose_name_plural = _("plots")
        constraints = [
            models.UniqueConstraint(
                fields=["cooperative", "code"],
                name="plot_code_unique_in_coop",
                violation_error_message=_("This plot code is already used in the cooperative."),
            ),
            # Target of the deliveries' (plot, member) foreign key: a delivery's plot is its member's.
            models.UniqueConstraint(fields=["id", "member"], name="plot_id_member_key"),
            models.CheckConstraint(condition=Q(area_ha__gt=0), name="plot_area_positive"),
            models.CheckConstraint(
                condition=Q(certified_area_ha__gte=0) & Q(certified_area_ha__lte=F("area_ha")),
                name="plot_certified_area_within_area",
            ),
            models.CheckConstraint(
                condition=Q(organic_status="conventional") | Q(organic_since__isnull=False),
                name="plot_organic_status_has_date",
            ),
            models.CheckConstraint(
                condition=Q(organic_status="certified") | Q(certified_area_ha=0),
                name="plot_only_certified_has_certified_area",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                # A CHECK passes on NULL, so both must be present in this branch.
                | Q(latitude__isnull=False, longitude__isnull=False, latitude__gte=-90, latitude__lte=90,
                    longitude__gte=-180, longitude__lte=180),
                name="plot_coordinates_both_and_in_range",
            ),
        ]
        indexes = [models.Index(fields=["member", "organic_status"], name="plot_member_organic_idx")]

    def __str__(self):
        return f"{self.code} {self.name}".strip()

    def clean(self):
        errors = {}
        if self.area_ha is not None and self.certified_area_ha is not None:
            if self.certified_area_ha > self.area_ha:
                errors["certified_area_ha"] = [
                    _("The certified area (%(certified)s ha) exceeds the plot's area (%(area)s ha).")
                    % {"certified": hectares_text(self.certified_area_ha), "area": hectares_text(self.area_ha)}
                ]
        if self.organic_status != OrganicStatus.CONVENTIONAL and not self.organic_since:
            errors["organic_since"] = [
                _("Give the date the conversion started or the certification was granted.")
            ]
        if self.organic_status != OrganicStatus.CERTIFIED and self.certified_area_ha:
            errors["certified_area_ha"] = [_("Only a certified organic plot has a certified area.")]
        if (self.latitude is None) != (self.longitude is None):
            errors["longitude" if self.longitude is None else "latitude"] = [
                _("Give both latitude and longitude, or neither.")
            ]
        _no_future_dates(self, ["organic_since", "last_inspection_on"], errors)
        if errors:
            raise ValidationError(errors)
