"""Settings of the exports app kept in the admin: importers and their contacts, products, prices
and rejection reasons. Shipments and deliveries are read here; they change through their pages,
which check the rules and record who did what. API credentials come from the
``importer_client_create`` command, which shows the token once."""

from django.contrib import admin

from coop.admin import CooperativeScopedAdmin

from .models import (
    DeductionType,
    Importer,
    ImporterClient,
    ImporterContact,
    Price,
    ProducerPrice,
    Product,
    RejectionReason,
    Shipment,
)


class ImporterContactInline(admin.TabularInline):
    model = ImporterContact
    extra = 0


@admin.register(Importer)
class ImporterAdmin(admin.ModelAdmin):
    """Importers are shared by every co-op: installation administrators keep them."""

    list_display = ["name", "country", "tax_id"]
    search_fields = ["name"]
    inlines = [ImporterContactInline]


@admin.register(ImporterClient)
class ImporterClientAdmin(admin.ModelAdmin):
    list_display = ["importer", "name", "user", "created_at"]
    list_select_related = ["importer", "user"]

    def has_add_permission(self, request):
        return False  # issued by the command, so the token is shown once and stored hashed

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Product)
class ProductAdmin(CooperativeScopedAdmin):
    list_display = ["code", "name", "unit", "kg_per_unit", "units_per_container", "cooperative"]
    list_filter = [("cooperative", admin.RelatedOnlyFieldListFilter)]


@admin.register(Price)
class PriceAdmin(CooperativeScopedAdmin):
    list_display = ["product", "importer", "organic", "incoterm", "valid_from", "price", "cooperative"]
    list_filter = ["organic", "incoterm", ("cooperative", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["product", "importer", "cooperative"]


@admin.register(RejectionReason)
class RejectionReasonAdmin(CooperativeScopedAdmin):
    list_display = ["code", "name", "active", "cooperative"]
    list_filter = ["active", ("cooperative", admin.RelatedOnlyFieldListFilter)]


@admin.register(Shipment)
class ShipmentAdmin(CooperativeScopedAdmin):
    read_only_for_admins = True
    list_display = ["container_number", "etd", "importer", "status", "cooperative"]
    list_filter = ["status", ("cooperative", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["importer", "cooperative"]
    search_fields = ["container_number", "invoice_number"]
    show_full_result_count = False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ProducerPrice)
class ProducerPriceAdmin(CooperativeScopedAdmin):
    list_display = ["product", "organic", "valid_from", "price", "cooperative"]
    list_filter = ["organic", ("cooperative", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["product", "cooperative"]


@admin.register(DeductionType)
class DeductionTypeAdmin(CooperativeScopedAdmin):
    """What settlements deduct, in priority order; the account credited must be the co-op's."""

    list_display = ["code", "name", "basis", "rate", "priority", "account", "active", "cooperative"]
    list_filter = ["active", "basis", ("cooperative", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["account", "cooperative"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "account" and not request.user.is_superuser:
            from coop.admin import administered_ids
            from ledger.models import Account

            kwargs["queryset"] = Account.objects.filter(cooperative_id__in=administered_ids(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
