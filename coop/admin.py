"""Django admin for co-op administrators: each sees and changes only their own co-ops.

Superusers see everything. Member-register writes go through the pages (and their services);
the admin shows the register read-only.
"""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Certification, Cooperative, Role, RoleAssignment, User
from .tenancy import cooperative_ids_with
from .uploads import clean_logo


def administered_ids(request) -> set[int]:
    return cooperative_ids_with(request.user, {Role.ADMIN})


def users_managed_by(request):
    """The accounts a co-op administrator may see and change: people of their co-ops only.

    A user who also holds a role or a member login in a co-op this administrator does not
    administer belongs to someone else as well, and is left to a superuser. Accounts with no
    role and no member record yet are included, so that a new account can be given its role.
    """
    if request.user.is_superuser:
        return User.objects.all()
    outside = Cooperative.objects.exclude(pk__in=administered_ids(request)).values("pk")
    return (
        User.objects.filter(is_superuser=False)
        .exclude(role_assignments__cooperative_id__in=outside)
        .exclude(member__cooperative_id__in=outside)
    )


class CooperativeScopedAdmin(admin.ModelAdmin):
    """Rows of the co-ops the user administers; ``cooperative_field`` names the path to them."""

    cooperative_field = "cooperative"
    read_only_for_admins = False

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{f"{self.cooperative_field}__in": administered_ids(request)})

    def _allowed(self, request, obj=None) -> bool:
        if request.user.is_superuser:
            return True
        if not request.user.is_staff or not administered_ids(request):
            return False
        if obj is None:
            return True
        coop_id = obj.pk if self.cooperative_field == "pk" else getattr(obj, f"{self.cooperative_field}_id")
        return coop_id in administered_ids(request)

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self.read_only_for_admins and self._allowed(request, obj)

    def has_add_permission(self, request, obj=None):
        return not self.read_only_for_admins and self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "cooperative" and not request.user.is_superuser:
            kwargs["queryset"] = Cooperative.objects.filter(pk__in=administered_ids(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class CertificationInline(admin.TabularInline):
    model = Certification
    extra = 0

    def has_add_permission(self, request, obj=None):
        return True

    def has_change_permission(self, request, obj=None):
        return True

    def has_view_permission(self, request, obj=None):
        return True

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


class CooperativeForm(forms.ModelForm):
    """The admin's form of a co-op (its fields come from the admin), with the logo checked."""

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        # Only a new upload is checked; the stored logo was checked when it came in.
        return clean_logo(logo) if logo and hasattr(logo, "content_type") else logo


@admin.register(Cooperative)
class CooperativeAdmin(CooperativeScopedAdmin):
    form = CooperativeForm
    cooperative_field = "pk"
    list_display = ["short_name", "name", "country", "region", "currency", "fairtrade_id"]
    search_fields = ["short_name", "name"]
    inlines = [CertificationInline]

    def has_add_permission(self, request, obj=None):
        return request.user.is_superuser

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:  # a new co-op opens its books
            from ledger.services import chart_of_accounts_create

            chart_of_accounts_create(cooperative=obj)

    def get_readonly_fields(self, request, obj=None):
        # Country and currency decide how IDs are checked and the books kept: superusers only.
        return [] if request.user.is_superuser else ["short_name", "country", "currency"]

    def get_queryset(self, request):
        queryset = admin.ModelAdmin.get_queryset(self, request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(pk__in=administered_ids(request))


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(CooperativeScopedAdmin):
    list_display = ["user", "role", "cooperative", "granted_at", "granted_by"]
    # RelatedOnly: the plain filter would list every co-op's name, the administrator's or not.
    list_filter = ["role", ("cooperative", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user"]
    readonly_fields = ["granted_by", "granted_at"]
    list_select_related = ["user", "cooperative", "granted_by"]

    def has_delete_permission(self, request, obj=None):
        # Revoking a role is allowed; roles are not financial records.
        return self._allowed(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = users_managed_by(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.granted_by = request.user
        super().save_model(request, obj, form, change)


class RoleAssignmentInline(admin.TabularInline):
    """A user's roles, on their page: a co-op administrator sees and grants only their co-ops'."""

    model = RoleAssignment
    fk_name = "user"
    extra = 1
    fields = ["cooperative", "role", "granted_by", "granted_at"]
    readonly_fields = ["granted_by", "granted_at"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(cooperative_id__in=administered_ids(request))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "cooperative" and not request.user.is_superuser:
            kwargs["queryset"] = Cooperative.objects.filter(pk__in=administered_ids(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _allowed(self, request):
        return request.user.is_superuser or bool(administered_ids(request))

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request, obj=None):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request)


@admin.register(User)
class CoopUserAdmin(UserAdmin):
    """Superusers manage every user. A co-op administrator manages the people of their co-ops:
    users holding a role there or a member login there, and accounts not yet given any role or
    member record (so that a new account can be created and then given its role)."""

    fieldsets = UserAdmin.fieldsets + ((_("Language"), {"fields": ("preferred_language",)}),)
    coop_admin_fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email", "preferred_language")}),
        (_("Access"), {"fields": ("is_active", "is_staff", "last_login", "date_joined")}),
    )
    inlines = [RoleAssignmentInline]
    list_filter = ["is_staff", "is_active"]

    def save_formset(self, request, form, formset, change):
        for assignment in formset.save(commit=False):
            if assignment.pk is None:
                assignment.granted_by = request.user
            assignment.save()
        for assignment in formset.deleted_objects:
            assignment.delete()

    def get_inlines(self, request, obj):
        # Roles are granted on the user's page, once the account exists.
        return self.inlines if obj is not None else []

    def get_fieldsets(self, request, obj=None):
        if obj is not None and not request.user.is_superuser:
            return self.coop_admin_fieldsets
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        return ["last_login", "date_joined"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(pk__in=users_managed_by(request).values("pk"))

    def _coop_admin(self, request) -> bool:
        return request.user.is_staff and bool(administered_ids(request))

    def has_module_permission(self, request):
        return request.user.is_superuser or self._coop_admin(request)

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser or self._coop_admin(request)

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser or self._coop_admin(request)

    def has_add_permission(self, request):
        return request.user.is_superuser or self._coop_admin(request)

    def has_delete_permission(self, request, obj=None):
        # Accounts are deactivated, not deleted: history and ledger postings point at them.
        return request.user.is_superuser
