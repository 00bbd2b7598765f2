"""Loan policies are kept in the admin (a new version from a date); rounds and loans change only
through their pages and API, which keep maker-checker and the books."""

from django.contrib import admin

from coop.admin import CooperativeScopedAdmin

from .models import LoanPolicy


@admin.register(LoanPolicy)
class LoanPolicyAdmin(CooperativeScopedAdmin):
    list_display = ["cooperative", "valid_from", "minimum_amount", "maximum_amount", "installments", "repayment"]
    list_filter = [("cooperative", admin.RelatedOnlyFieldListFilter)]
    exclude = ["created_by"]

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.rounds.exists():
            return False  # rounds were computed under it: add a new version instead
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
