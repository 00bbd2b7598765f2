from django.urls import path

from . import views

app_name = "exports"

urlpatterns = [
    path("", views.exports_home, name="home"),
    path("<int:coop_id>/", views.shipment_list, name="shipments"),
    path("<int:coop_id>/new/", views.shipment_create, name="shipment_create"),
    path("<int:coop_id>/premium/", views.premium_reconciliation, name="premium_reconciliation"),
    path("<int:coop_id>/mass-balance/", views.mass_balance, name="mass_balance"),
    path("shipments/<int:pk>/", views.shipment_detail, name="shipment"),
    path("shipments/<int:pk>/edit/", views.shipment_update, name="shipment_update"),
    path("shipments/<int:pk>/step/", views.shipment_step, name="shipment_step"),
    path("shipments/<int:pk>/invoice/", views.shipment_invoice, name="shipment_invoice"),
    path("shipments/<int:pk>/payments/", views.sale_receipt, name="sale_receipt"),
    path("shipments/<int:pk>/premium-payments/", views.premium_receipt, name="premium_receipt"),
    path("shipments/<int:pk>/loading/", views.loading_sheet, name="loading_sheet"),
    path("deliveries/<int:pk>/remove/", views.delivery_remove, name="delivery_remove"),
]

urlpatterns += [
    path("<int:coop_id>/settlements/", views.settlement_list, name="settlements"),
    path("settlements/<int:pk>/", views.settlement_detail, name="settlement"),
    path("settlements/<int:pk>/step/", views.settlement_step, name="settlement_step"),
    path("settlements/<int:pk>/slips/<int:member_id>/", views.settlement_slip, name="slip"),
    path("me/", views.my_deliveries, name="my_deliveries"),
]
urlpatterns += [path("shipments/<int:pk>/loading/import/", views.loading_sheet_import, name="loading_sheet_import")]
urlpatterns += [
    path("shipments/<int:pk>/documents/", views.shipment_document_add, name="shipment_document_add"),
    path("documents/<int:pk>/", views.shipment_document, name="shipment_document"),
]
urlpatterns += [path("producers/<int:member_id>/", views.producer_traceability, name="producer")]
