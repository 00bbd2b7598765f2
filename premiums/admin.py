"""Premium rates are kept in the admin (a new rate from a date; one already used is not changed).
Plans, assemblies, allocations and spending change only through their pages and API."""

from django.contrib import admin

from coop.admin import CooperativeScopedAdmin

from .models import PremiumRate


@admin.register(PremiumRate)
class PremiumRateAdmin(CooperativeScopedAdmin):
    list_display = ["product", "valid_from", "amount", "per_kg", "cooperative"]
    list_filter = [("cooperative", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["product", "cooperative"]
    exclude = ["created_by"]

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.accruals.exists():
            return False  # shipments were accrued at this rate
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
