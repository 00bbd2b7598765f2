"""The fund's rules and categories are kept in the admin (a new version of the rules from a date);
claims change only through their pages and API, which keep the committee's approvals, the
privacy rules and the books."""

from django.contrib import admin
from django.forms import CheckboxSelectMultiple, MultipleChoiceField

from coop.admin import CooperativeScopedAdmin, administered_ids

from .models import Category, CategoryRule, DocumentKind, FundRules


@admin.register(Category)
class CategoryAdmin(CooperativeScopedAdmin):
    list_display = ["name", "code", "cooperative"]
    list_filter = [("cooperative", admin.RelatedOnlyFieldListFilter)]


class CategoryRuleInline(admin.TabularInline):
    model = CategoryRule
    extra = 1

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "required_documents":
            return MultipleChoiceField(choices=DocumentKind.choices, required=False, widget=CheckboxSelectMultiple,
                                       label=db_field.verbose_name)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "category" and not request.user.is_superuser:
            kwargs["queryset"] = Category.objects.filter(cooperative_id__in=administered_ids(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_add_permission(self, request, obj=None):
        return obj is None or not obj.claims.exists()

    def has_change_permission(self, request, obj=None):
        return obj is None or not obj.claims.exists()

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.claims.exists()


@admin.register(FundRules)
class FundRulesAdmin(CooperativeScopedAdmin):
    list_display = ["cooperative", "valid_from", "waiting_days", "approvals_required"]
    list_filter = [("cooperative", admin.RelatedOnlyFieldListFilter)]
    exclude = ["created_by"]
    inlines = [CategoryRuleInline]

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.claims.exists():
            return False  # claims were decided under it: add a new version instead
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
