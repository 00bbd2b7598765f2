from django.contrib import admin

from coop.admin import CooperativeScopedAdmin

from .models import HouseholdMember, Member, MemberStatusChange, Plot


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return True


class HouseholdInline(ReadOnlyInline):
    model = HouseholdMember
    fields = ["relationship", "first_name", "last_name", "birth_date", "studying", "ended_on"]


class PlotInline(ReadOnlyInline):
    model = Plot
    fields = ["code", "name", "area_ha", "organic_status", "certified_area_ha"]


class StatusInline(ReadOnlyInline):
    model = MemberStatusChange
    fields = ["status", "effective_on", "reason", "recorded_by"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recorded_by")


@admin.register(Member)
class MemberAdmin(CooperativeScopedAdmin):
    """Read-only here: the register is kept through its pages, which validate and record history."""

    read_only_for_admins = True
    list_display = ["number", "last_name", "first_name", "national_id", "village", "status", "cooperative"]
    list_filter = ["status", ("cooperative", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["number", "first_name", "last_name", "national_id"]
    list_select_related = ["cooperative"]
    inlines = [HouseholdInline, PlotInline, StatusInline]
    show_full_result_count = False

    def has_change_permission(self, request, obj=None):
        return False
