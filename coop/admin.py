"""Django admin for co-op administrators: each sees and changes only their own co-ops.

Superusers see everything. Member-register writes go through the pages (and their services);
the admin shows the register read-only.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied

from .models import Certification, Cooperative, Role, RoleAssignment, User
from .tenancy import cooperative_ids_with


def administered_ids(request) -> set[int]:
    return cooperative_ids_with(request.user, {Role.ADMIN})


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


@admin.register(Cooperative)
class CooperativeAdmin(CooperativeScopedAdmin):
    cooperative_field = "pk"
    list_display = ["short_name", "name", "country", "region", "currency", "fairtrade_id"]
    search_fields = ["short_name", "name"]
    inlines = [CertificationInline]

    def has_add_permission(self, request, obj=None):
        return request.user.is_superuser

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

    def has_delete_permission(self, request, obj=None):
        # Revoking a role is allowed; roles are not financial records.
        return self._allowed(request, obj)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "user" and not request.user.is_superuser and formfield is not None:
            formfield.widget.can_view_related = False  # a user's page is for superusers only
        return formfield

    def save_model(self, request, obj, form, change):
        if not change:
            obj.granted_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(User)
class CoopUserAdmin(UserAdmin):
    """Users are managed by superusers; co-op administrators may look them up to grant roles."""

    fieldsets = UserAdmin.fieldsets + (("Coop", {"fields": ("preferred_language",)}),)

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        # Without an object this allows the user search of the role form (autocomplete); a user's
        # page, and the list of users, would show other co-ops' people: superusers only.
        if request.user.is_superuser:
            return True
        return obj is None and request.user.is_staff and bool(administered_ids(request))

    def changelist_view(self, request, extra_context=None):
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().changelist_view(request, extra_context)

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser
