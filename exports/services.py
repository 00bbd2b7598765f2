"""Writes of the exports app: importers, products and prices, shipments through their lifecycle,
deliveries, invoicing and the fruit money received. The premium's accrual and receipts are in
premiums.services; invoicing calls the accrual in the same transaction."""

import datetime
import secrets
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from knox.models import AuthToken

from coop.formatting import amount_text
from coop.models import Cooperative
from coop.uploads import clean_shipment_document
from ledger.models import Account
from ledger.services import transaction_post
from members.models import Member, MemberStatus, OrganicStatus, Plot

from .lifecycle import paid_when_settled, sale_outstanding, shipment_step
from .models import (
    OPEN_FOR_LOADING,
    Delivery,
    DocumentKind,
    Importer,
    ImporterClient,
    Price,
    Product,
    RejectionReason,
    SaleReceipt,
    Shipment,
    ShipmentDocument,
    ShipmentStatus,
)
from .permissions import can_change
from .validators import normalize_container_number

SALES_RECEIVABLE, FRUIT_SALES, OPERATING_BANK = "1300", "4000", "1010"

# What a person may change on a shipment before it sails.
SHIPMENT_DETAILS = (
    "container_number", "seal_number", "booking_number", "vessel", "voyage", "port_of_loading",
    "port_of_destination", "etd", "eta", "incoterm", "price_per_box", "fairtrade", "organic", "capacity",
)

# Forward steps a person takes by hand; "invoiced" comes with the invoice, "paid" with the last payment.
MANUAL_STEPS = {
    ShipmentStatus.PLANNED: (ShipmentStatus.LOADING, ShipmentStatus.CANCELLED),
    ShipmentStatus.LOADING: (ShipmentStatus.SHIPPED, ShipmentStatus.CANCELLED),
}


def _require_writer(actor, cooperative_id: int) -> None:
    if not can_change(actor, cooperative_id):
        raise ValidationError(_("Your role does not allow this."))


def _date_text(value: datetime.date) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def _constraint_refusal(error: IntegrityError) -> ValidationError:
    """A rule the database caught (a race the checks could not see), in its own words."""
    diag = getattr(error.__cause__, "diag", None)
    message = (diag.message_primary if diag else None) or str(error)
    return ValidationError(message.removeprefix("exports: "))


# Importers -------------------------------------------------------------------------------------


def importer_client_create(*, importer: Importer, name: str, actor, expiry: datetime.timedelta | None = None):
    """A program of the importer that calls the API: its own login and a token shown once.

    Returns (client, token). Only the token's digest is stored."""
    if not actor.is_superuser:
        raise ValidationError(_("Only an installation administrator issues API credentials."))
    if not name.strip():
        raise ValidationError({"name": _("Name the program, e.g. 'ERP of the importer'.")})
    with transaction.atomic():
        user = get_user_model().objects.create_user(
            username=f"api-{importer.pk}-{secrets.token_hex(4)}", first_name=name.strip()[:150])
        user.set_unusable_password()
        user.save(update_fields=["password"])
        client = ImporterClient.objects.create(importer=importer, user=user, name=name.strip())
        _instance, token = AuthToken.objects.create(user=user, expiry=expiry)
    return client, token


# Prices ----------------------------------------------------------------------------------------


def price_in_force(*, cooperative_id: int, product: Product, importer: Importer | None, organic: bool,
                   incoterm: str, on: datetime.date) -> Price | None:
    """The contract price of ``importer`` (or the Fairtrade minimum when None) on a date."""
    return (
        Price.objects.filter(cooperative_id=cooperative_id, product=product, importer=importer, organic=organic,
                             incoterm=incoterm, valid_from__lte=on)
        .order_by("-valid_from").first()
    )


def price_set(*, cooperative: Cooperative, actor, product: Product, importer: Importer | None, organic: bool,
              incoterm: str, valid_from: datetime.date, price: Decimal, contract_reference: str = "") -> Price:
    _require_writer(actor, cooperative.pk)
    row = Price(cooperative=cooperative, product=product, importer=importer, organic=organic, incoterm=incoterm,
                valid_from=valid_from, price=price, contract_reference=contract_reference)
    if product.cooperative_id != cooperative.pk:
        raise ValidationError({"product": _("Choose a product of the cooperative.")})
    row.full_clean()
    row.save()
    return row


# Shipments -------------------------------------------------------------------------------------


def _check_price(shipment: Shipment) -> None:
    """No price given: the importer's contract price. A Fairtrade lot is never sold below the
    Fairtrade minimum."""
    terms = {"cooperative_id": shipment.cooperative_id, "product": shipment.product, "organic": shipment.organic,
             "incoterm": shipment.incoterm, "on": shipment.etd}
    if shipment.price_per_box is None:
        contract = price_in_force(importer=shipment.importer, **terms) or price_in_force(importer=None, **terms)
        if contract is None:
            raise ValidationError({"price_per_box": _("There is no contract price for this importer and product; "
                                                      "enter the price per box.")})
        shipment.price_per_box = contract.price
    price = shipment.price_per_box
    if not price.is_finite() or not Decimal("0") < price < Decimal("1000000") or price != price.quantize(Decimal("0.01")):
        raise ValidationError({"price_per_box": _("Enter a price above zero, in dollars and cents.")})
    if shipment.fairtrade:
        minimum = price_in_force(importer=None, **terms)
        if minimum and shipment.price_per_box < minimum.price:
            raise ValidationError({"price_per_box": _(
                "%(price)s is below the Fairtrade minimum price of %(minimum)s per box for this product."
            ) % {"price": amount_text(shipment.price_per_box), "minimum": amount_text(minimum.price)}})


def _save_shipment(shipment: Shipment) -> Shipment:
    shipment.container_number = normalize_container_number(shipment.container_number)
    if shipment.product_id and shipment.product.cooperative_id != shipment.cooperative_id:
        raise ValidationError({"product": _("Choose a product of the cooperative.")})
    if shipment.capacity is None and shipment.product_id:
        shipment.capacity = shipment.product.units_per_container
    # The price is checked on its own: when empty it comes from the contract.
    shipment.full_clean(exclude=["sale_transaction", "created_by", "cooperative", "price_per_box"])
    _check_price(shipment)
    if shipment.pk:
        loaded = shipment.deliveries.aggregate(t=Sum("accepted_boxes"))["t"] or 0
        if loaded > shipment.capacity:
            raise ValidationError({"capacity": _("%(loaded)s boxes are already loaded; the capacity cannot be less.")
                                   % {"loaded": loaded}})
        if shipment.organic and shipment.deliveries.exclude(plot__organic_status=OrganicStatus.CERTIFIED).exists():
            raise ValidationError({"organic": _("Boxes from plots not certified organic are loaded; "
                                                "this lot cannot be organic.")})
    try:
        with transaction.atomic():
            shipment.save()
    except IntegrityError as error:
        raise _constraint_refusal(error) from error
    return shipment


def shipment_create(*, cooperative: Cooperative, actor, importer: Importer, product: Product, **details) -> Shipment:
    """Plan a shipment. ``details``: the fields in SHIPMENT_DETAILS; without a price per box the
    contract price applies, without a capacity the product's units per container."""
    _require_writer(actor, cooperative.pk)
    unknown = set(details) - set(SHIPMENT_DETAILS)
    if unknown:
        raise ValueError(f"unknown shipment fields: {sorted(unknown)}")
    with transaction.atomic():
        shipment = Shipment(cooperative=cooperative, importer=importer, product=product, created_by=actor, **details)
        _save_shipment(shipment)
        shipment_step(shipment=shipment, status=ShipmentStatus.PLANNED, actor=actor)
    return shipment


def shipment_update(*, shipment: Shipment, actor, **details) -> Shipment:
    """Change a shipment's details while it is planned or loading."""
    _require_writer(actor, shipment.cooperative_id)
    with transaction.atomic():
        shipment = Shipment.objects.select_for_update(of=("self",)).select_related("product", "importer").get(pk=shipment.pk)
        if shipment.status not in OPEN_FOR_LOADING:
            raise ValidationError(_("The shipment is %(status)s; its details no longer change.")
                                  % {"status": shipment.get_status_display().lower()})
        for field, value in details.items():
            if field not in SHIPMENT_DETAILS:
                raise ValueError(f"unknown shipment field: {field}")
            setattr(shipment, field, value)
        return _save_shipment(shipment)


def shipment_advance(*, shipment: Shipment, actor, to: str, note: str = "") -> Shipment:
    """Take a forward step by hand: start loading, mark shipped, or cancel before shipping."""
    _require_writer(actor, shipment.cooperative_id)
    with transaction.atomic():
        # Locked: a delivery being added waits, so a shipped container's boxes are final.
        shipment = Shipment.objects.select_for_update().get(pk=shipment.pk)
        allowed = MANUAL_STEPS.get(shipment.status, ())
        if to not in allowed:
            raise ValidationError({"status": _("A shipment that is %(current)s cannot be marked %(next)s.") % {
                "current": shipment.get_status_display().lower(),
                "next": ShipmentStatus(to).label.lower() if to in ShipmentStatus.values else to}})
        if to == ShipmentStatus.SHIPPED and not shipment.deliveries.filter(accepted_boxes__gt=0).exists():
            raise ValidationError({"status": _("No boxes are loaded; a shipment without deliveries is not shipped.")})
        if to == ShipmentStatus.CANCELLED and not note.strip():
            raise ValidationError({"note": _("Say why the shipment is cancelled.")})
        return shipment_step(shipment=shipment, status=to, actor=actor, note=note.strip())


def shipment_invoice(*, shipment: Shipment, actor, invoice_number: str, invoiced_on: datetime.date) -> Shipment:
    """Invoice a shipped container: the sale (boxes x price) and, for a Fairtrade lot, the premium
    are posted once each; a repeat is refused and posts nothing."""
    from premiums.services import premium_accrue

    _require_writer(actor, shipment.cooperative_id)
    invoice_number = (invoice_number or "").strip()
    if not invoice_number:
        raise ValidationError({"invoice_number": _("Enter the invoice number.")})
    with transaction.atomic():
        shipment = Shipment.objects.select_for_update(of=("self",)).select_related("cooperative", "product").get(pk=shipment.pk)
        if shipment.status != ShipmentStatus.SHIPPED:
            raise ValidationError(_("Only a shipped container is invoiced; this one is %(status)s.")
                                  % {"status": shipment.get_status_display().lower()})
        if invoiced_on < shipment.etd:
            raise ValidationError({"invoiced_on": _("The invoice date is before the departure (%(etd)s).")
                                   % {"etd": _date_text(shipment.etd)}})
        if Shipment.objects.filter(cooperative_id=shipment.cooperative_id, invoice_number=invoice_number).exists():
            raise ValidationError({"invoice_number": _("This invoice number is already used in the cooperative.")})
        boxes = shipment.deliveries.aggregate(t=Sum("accepted_boxes"))["t"] or 0
        amount = shipment.price_per_box * boxes
        accounts = {a.code: a for a in Account.objects.filter(cooperative_id=shipment.cooperative_id,
                                                             code__in=[SALES_RECEIVABLE, FRUIT_SALES])}
        sale = transaction_post(
            cooperative=shipment.cooperative, date=invoiced_on, actor=actor, source=f"shipment:{shipment.pk}",
            idempotency_key=f"shipment:{shipment.pk}:sale",
            memo=_("Invoice %(invoice)s: %(boxes)s boxes in %(container)s at %(price)s") % {
                "invoice": invoice_number, "boxes": boxes, "container": shipment.container_display,
                "price": amount_text(shipment.price_per_box)},
            legs=[(accounts[SALES_RECEIVABLE], amount), (accounts[FRUIT_SALES], -amount)],
        )
        shipment.invoice_number, shipment.invoiced_on = invoice_number, invoiced_on
        shipment.invoiced_boxes, shipment.invoice_amount, shipment.sale_transaction = boxes, amount, sale
        shipment.save(update_fields=["invoice_number", "invoiced_on", "invoiced_boxes", "invoice_amount",
                                     "sale_transaction"])
        shipment_step(shipment=shipment, status=ShipmentStatus.INVOICED, actor=actor, note=invoice_number)
        if shipment.fairtrade:
            premium_accrue(shipment=shipment, actor=actor)
    return shipment


def sale_receive(*, shipment: Shipment, actor, amount: Decimal, received_on: datetime.date,
                 reference: str) -> SaleReceipt:
    """Fruit money from the importer (partial allowed, never more than outstanding)."""
    _require_writer(actor, shipment.cooperative_id)
    if not reference.strip():
        raise ValidationError({"reference": _("Enter the bank reference of the payment.")})
    if amount is None or amount <= 0:
        raise ValidationError({"amount": _("Enter an amount above zero.")})
    with transaction.atomic():
        shipment = Shipment.objects.select_for_update(of=("self",)).select_related("cooperative").get(pk=shipment.pk)
        if shipment.status != ShipmentStatus.INVOICED:
            raise ValidationError(_("Payments are recorded for an invoiced shipment; this one is %(status)s.")
                                  % {"status": shipment.get_status_display().lower()})
        outstanding = sale_outstanding(shipment)
        if amount > outstanding:
            raise ValidationError({"amount": _("%(amount)s is more than the %(outstanding)s outstanding on invoice "
                                               "%(invoice)s.") % {"amount": amount_text(amount),
                                                                   "outstanding": amount_text(outstanding),
                                                                   "invoice": shipment.invoice_number}})
        accounts = {a.code: a for a in Account.objects.filter(cooperative_id=shipment.cooperative_id,
                                                             code__in=[OPERATING_BANK, SALES_RECEIVABLE])}
        entry = transaction_post(
            cooperative=shipment.cooperative, date=received_on, actor=actor, source=f"shipment:{shipment.pk}",
            memo=_("Payment for invoice %(invoice)s (%(reference)s)") % {
                "invoice": shipment.invoice_number, "reference": reference.strip()},
            legs=[(accounts[OPERATING_BANK], amount), (accounts[SALES_RECEIVABLE], -amount)],
        )
        receipt = SaleReceipt.objects.create(
            cooperative_id=shipment.cooperative_id, shipment=shipment, amount=amount, received_on=received_on,
            reference=reference.strip(), transaction=entry, recorded_by=actor)
        paid_when_settled(shipment=shipment, actor=actor)
    return receipt


# Deliveries ------------------------------------------------------------------------------------


def _check_delivery(delivery: Delivery, shipment: Shipment) -> None:
    errors: dict[str, str] = {}
    member, plot = delivery.member, delivery.plot
    if member.cooperative_id != shipment.cooperative_id:
        errors["member"] = _("Choose a member of the cooperative.")
    elif member.status != MemberStatus.ACTIVE:
        errors["member"] = _("Member %(number)s is %(status)s; only active members deliver.") % {
            "number": member.number, "status": member.get_status_display().lower()}
    if plot.member_id != member.pk:
        errors["plot"] = _("Plot %(plot)s is not a plot of member %(number)s.") % {
            "plot": plot.code, "number": member.number}
    elif shipment.organic and plot.organic_status != OrganicStatus.CERTIFIED:
        errors["plot"] = _("Plot %(plot)s is not certified organic; its boxes cannot go into an organic lot.") % {
            "plot": plot.code}
    if delivery.accepted_boxes + delivery.rejected_boxes == 0:
        errors["accepted_boxes"] = _("Enter the accepted or rejected boxes.")
    if delivery.rejected_boxes and delivery.rejection_reason_id is None:
        errors["rejection_reason"] = _("Say why boxes were rejected.")
    elif delivery.rejection_reason_id and delivery.rejection_reason.cooperative_id != shipment.cooperative_id:
        errors["rejection_reason"] = _("Choose a rejection reason of the cooperative.")
    if delivery.date > timezone.localdate():
        errors["date"] = _("The date is in the future.")
    if errors:
        raise ValidationError(errors)


def _lock_open_shipment(shipment: Shipment) -> Shipment:
    # Locked so two loading clerks cannot both fill the last free places of the container.
    shipment = Shipment.objects.select_for_update().get(pk=shipment.pk)
    if shipment.status not in OPEN_FOR_LOADING:
        raise ValidationError(_("The shipment is %(status)s; its deliveries no longer change.")
                              % {"status": shipment.get_status_display().lower()})
    return shipment


def _lock_member_and_plot(member: Member, plot: Plot) -> tuple[Member, Plot]:
    """The member and plot as the database has them now, locked (after the shipment, a fixed
    order) so a status change or a de-certification waits until the delivery is written."""
    locked_member = Member.objects.select_for_update(no_key=True).get(pk=member.pk)
    locked_plot = Plot.objects.select_for_update(no_key=True).get(pk=plot.pk)
    return locked_member, locked_plot


def _check_capacity(shipment: Shipment, adding: int, excluding: int | None = None) -> None:
    loaded = shipment.deliveries.exclude(pk=excluding).aggregate(t=Sum("accepted_boxes"))["t"] or 0
    if loaded + adding > shipment.capacity:
        raise ValidationError({"accepted_boxes": _(
            "The container holds %(capacity)s boxes and %(loaded)s are loaded: %(free)s more fit, not %(adding)s."
        ) % {"capacity": shipment.capacity, "loaded": loaded, "free": max(shipment.capacity - loaded, 0),
             "adding": adding}})


def delivery_add(*, shipment: Shipment, actor, member: Member, plot: Plot, date: datetime.date,
                 accepted_boxes: int, rejected_boxes: int = 0,
                 rejection_reason: RejectionReason | None = None) -> Delivery:
    """Load a producer's boxes into a planned or loading container (planned becomes loading)."""
    _require_writer(actor, shipment.cooperative_id)
    with transaction.atomic():
        shipment = _lock_open_shipment(shipment)
        member, plot = _lock_member_and_plot(member, plot)
        delivery = Delivery(cooperative_id=shipment.cooperative_id, shipment=shipment, member=member, plot=plot,
                            date=date, accepted_boxes=accepted_boxes, rejected_boxes=rejected_boxes,
                            rejection_reason=rejection_reason, recorded_by=actor)
        _check_delivery(delivery, shipment)
        _check_capacity(shipment, accepted_boxes)
        delivery.save()
        if shipment.status == ShipmentStatus.PLANNED:
            shipment_step(shipment=shipment, status=ShipmentStatus.LOADING, actor=actor)
    return delivery


def delivery_update(*, delivery: Delivery, actor, **changes) -> Delivery:
    """Correct a line while the container is loading."""
    _require_writer(actor, delivery.cooperative_id)
    allowed = {"member", "plot", "date", "accepted_boxes", "rejected_boxes", "rejection_reason"}
    with transaction.atomic():
        shipment = _lock_open_shipment(delivery.shipment)
        delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
        for field, value in changes.items():
            if field not in allowed:
                raise ValueError(f"unknown delivery field: {field}")
            setattr(delivery, field, value)
        delivery.member, delivery.plot = _lock_member_and_plot(delivery.member, delivery.plot)
        _check_delivery(delivery, shipment)
        _check_capacity(shipment, delivery.accepted_boxes, excluding=delivery.pk)
        delivery.save()
    return delivery


def delivery_remove(*, delivery: Delivery, actor) -> None:
    """Take a line off the loading sheet while the container is loading."""
    _require_writer(actor, delivery.cooperative_id)
    with transaction.atomic():
        _lock_open_shipment(delivery.shipment)
        Delivery.objects.filter(pk=delivery.pk).delete()


def shipment_document_add(*, shipment: Shipment, actor, kind: str, file) -> ShipmentDocument:
    """Attach a checked file (PDF, JPEG or PNG, at most 10 MB) to the shipment."""
    _require_writer(actor, shipment.cooperative_id)
    if kind not in DocumentKind.values:
        raise ValidationError({"kind": _("Choose the kind of document.")})
    try:
        file = clean_shipment_document(file)
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from error
    if file is None:
        raise ValidationError({"file": _("Choose a file.")})
    return ShipmentDocument.objects.create(cooperative_id=shipment.cooperative_id, shipment=shipment, kind=kind,
                                           file=file, uploaded_by=actor)
