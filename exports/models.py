"""What the co-op sells and to whom: importers, products and prices, shipments (one container
each) and the deliveries of producers' boxes loaded into them.

- An ``Importer`` is shared: one importer buys from several co-ops. Its programs call the API as
  ``ImporterClient`` users; they see the shipments sold to their importer and nothing else.
- A ``Shipment`` moves forward only: planned -> loading -> shipped -> invoiced -> paid (cancelled
  only before shipped). Every step is a ``ShipmentStep`` row saying who and when.
- A shipment's boxes are the sum of its ``Delivery`` rows; deliveries change only while the
  container is planned or loading (a trigger holds this), so an invoice counts fixed boxes.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from coop.models import Cooperative
from ledger.models import MONEY, Transaction
from members.models import Member, Plot
from ops.privileges import APPEND_ONLY, NO_DELETE

from .validators import validate_container_number


class Importer(models.Model):
    name = models.CharField(_("name"), max_length=160, unique=True)
    country = models.CharField(_("country"), max_length=60)
    tax_id = models.CharField(_("tax ID"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("importer")
        verbose_name_plural = _("importers")

    def __str__(self):
        return self.name


class ImporterContact(models.Model):
    importer = models.ForeignKey(Importer, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=120)
    position = models.CharField(_("position"), max_length=120, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("importer contact")
        verbose_name_plural = _("importer contacts")

    def __str__(self):
        return self.name


class ImporterClient(models.Model):
    """A program of the importer that calls the API: a login of its own, with tokens."""

    importer = models.ForeignKey(Importer, on_delete=models.CASCADE, related_name="clients")
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="importer_client")
    name = models.CharField(_("name"), max_length=120)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")

    def __str__(self):
        return f"{self.importer}: {self.name}"


class Unit(models.TextChoices):
    BOX = "box", _("box")
    BAG = "bag", _("bag")
    DRUM = "drum", _("drum")


class Product(models.Model):
    cooperative = models.ForeignKey(Cooperative, on_delete=models.PROTECT, related_name="products")
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=120)
    unit = models.CharField(_("unit"), max_length=8, choices=Unit.choices, default=Unit.BOX)
    # Kilograms per unit, 3 places (an export banana box: 18.140).
    kg_per_unit = models.DecimalField(_("kg per unit"), max_digits=8, decimal_places=3,
                                      validators=[MinValueValidator(Decimal("0.001"))])
    units_per_container = models.PositiveIntegerField(_("units per container"), validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["cooperative", "name"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [
            models.UniqueConstraint(fields=["cooperative", "code"], name="product_code_unique_in_coop"),
            models.CheckConstraint(condition=Q(kg_per_unit__gt=0), name="product_weight_positive"),
            models.CheckConstraint(condition=Q(units_per_container__gt=0), name="product_capacity_positive"),
        ]

    def __str__(self):
        return self.name


class Incoterm(models.TextChoices):
    FOB = "FOB", "FOB"
    FCA = "FCA", "FCA"
    CFR = "CFR", "CFR"
    CIF = "CIF", "CIF"


class Price(models.Model):
    """A price per unit from ``valid_from`` on: an importer's contract price, or the Fairtrade
    minimum price when ``importer`` is empty. The latest row on or before a date applies."""

    cooperative = models.ForeignKey(Cooperative, on_delete=models.PROTECT, related_name="prices")
    importer = models.ForeignKey(Importer, on_delete=models.PROTECT, null=True, blank=True, related_name="prices",
                                 help_text=_("Empty: the Fairtrade minimum price."))
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="prices")
    organic = models.BooleanField(_("organic"))
    incoterm = models.CharField(_("incoterm"), max_length=3, choices=Incoterm.choices, default=Incoterm.FOB)
    valid_from = models.DateField(_("valid from"))
    # USD per unit, 2 places; > 0.
    price = models.DecimalField(_("price per unit"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))])
    contract_reference = models.CharField(_("contract reference"), max_length=60, blank=True)

    class Meta:
        ordering = ["product", "-valid_from"]
        verbose_name = _("price")
        verbose_name_plural = _("prices")
        constraints = [
            models.UniqueConstraint(
                fields=["cooperative", "importer", "product", "organic", "incoterm", "valid_from"],
                nulls_distinct=False, name="price_unique_per_day",
            ),
            models.CheckConstraint(condition=Q(price__gt=0), name="price_positive"),
        ]

    def __str__(self):
        return f"{self.product} {self.incoterm} {self.price}"


class ProducerPrice(models.Model):
    """What the co-op pays its producers per accepted unit from ``valid_from`` on."""

    cooperative = models.ForeignKey(Cooperative, on_delete=models.PROTECT, related_name="producer_prices")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="producer_prices")
    organic = models.BooleanField(_("organic"))
    valid_from = models.DateField(_("valid from"))
    # USD per unit, 2 places; > 0.
    price = models.DecimalField(_("price per unit"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))])

    class Meta:
        ordering = ["product", "organic", "-valid_from"]
        verbose_name = _("producer price")
        verbose_name_plural = _("producer prices")
        constraints = [
            models.UniqueConstraint(fields=["product", "organic", "valid_from"], name="producer_price_one_per_day"),
            models.CheckConstraint(condition=Q(price__gt=0), name="producer_price_positive"),
        ]

    def __str__(self):
        return f"{self.product} {self.price} ({self.valid_from})"


class ShipmentStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    LOADING = "loading", _("Loading")
    SHIPPED = "shipped", _("Shipped")
    INVOICED = "invoiced", _("Invoiced")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled")


# Deliveries may change only in these states (held by a trigger, migration 0002).
OPEN_FOR_LOADING = (ShipmentStatus.PLANNED, ShipmentStatus.LOADING)


class Shipment(models.Model):
    runtime_privileges = NO_DELETE

    cooperative = models.ForeignKey(Cooperative, on_delete=models.PROTECT, related_name="shipments")
    importer = models.ForeignKey(Importer, on_delete=models.PROTECT, related_name="shipments",
                                 verbose_name=_("importer"))
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="shipments", verbose_name=_("product"))
    container_number = models.CharField(_("container number"), max_length=11, validators=[validate_container_number],
                                        help_text=_("ISO 6346, e.g. MSKU 907032 3: written without spaces."))
    seal_number = models.CharField(_("seal"), max_length=30, blank=True)
    booking_number = models.CharField(_("booking"), max_length=40, blank=True)
    vessel = models.CharField(_("vessel"), max_length=80, blank=True)
    voyage = models.CharField(_("voyage"), max_length=30, blank=True)
    port_of_loading = models.CharField(_("port of loading"), max_length=80)
    port_of_destination = models.CharField(_("destination"), max_length=80)
    etd = models.DateField(_("ETD"), help_text=_("Estimated departure."))
    eta = models.DateField(_("ETA"), null=True, blank=True, help_text=_("Estimated arrival."))
    incoterm = models.CharField(_("incoterm"), max_length=3, choices=Incoterm.choices, default=Incoterm.FOB)
    # USD per box, 2 places; > 0.
    price_per_box = models.DecimalField(_("price per box"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))])
    fairtrade = models.BooleanField(_("Fairtrade"), default=True)
    organic = models.BooleanField(_("organic"), default=False)
    # Boxes; the deliveries' accepted boxes never exceed it.
    capacity = models.PositiveIntegerField(_("capacity (boxes)"), validators=[MinValueValidator(1)])
    status = models.CharField(_("status"), max_length=10, choices=ShipmentStatus.choices,
                              default=ShipmentStatus.PLANNED)
    invoice_number = models.CharField(_("invoice number"), max_length=40, blank=True)
    invoiced_on = models.DateField(_("invoiced on"), null=True, blank=True)
    # Fixed at invoicing: boxes, and boxes x price in USD.
    invoiced_boxes = models.PositiveIntegerField(_("invoiced boxes"), null=True, blank=True)
    invoice_amount = models.DecimalField(_("invoice amount"), **MONEY, null=True, blank=True)
    # PROTECT: the sale's journal entry is part of the books.
    sale_transaction = models.OneToOneField(Transaction, on_delete=models.PROTECT, null=True, blank=True,
                                            related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-etd", "-id"]
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        constraints = [
            # A container is being filled for one shipment at a time.
            models.UniqueConstraint(
                fields=["container_number"], condition=Q(status__in=["planned", "loading"]),
                name="container_loaded_once_at_a_time",
                violation_error_message=_("This container is already planned or loading in another shipment."),
            ),
            models.UniqueConstraint(fields=["id", "cooperative"], name="shipment_id_cooperative_key"),
            models.UniqueConstraint(
                fields=["cooperative", "invoice_number"], condition=~Q(invoice_number=""),
                name="invoice_number_unique_in_coop",
                violation_error_message=_("This invoice number is already used in the cooperative."),
            ),
            models.CheckConstraint(condition=Q(price_per_box__gt=0), name="shipment_price_positive"),
            models.CheckConstraint(condition=Q(capacity__gt=0), name="shipment_capacity_positive"),
            models.CheckConstraint(condition=Q(eta__isnull=True) | Q(eta__gte=models.F("etd")),
                                   name="shipment_arrives_after_departure",
                                   violation_error_message=_("The ETA is before the ETD.")),
            models.CheckConstraint(
                condition=Q(status__in=["planned", "loading", "shipped", "cancelled"])
                | Q(invoiced_on__isnull=False, invoiced_boxes__isnull=False, invoice_amount__isnull=False,
                    sale_transaction__isnull=False),
                name="shipment_invoiced_has_invoice",
            ),
        ]
        indexes = [
            models.Index(fields=["cooperative", "-etd", "-id"], name="shipment_coop_etd_idx"),
            models.Index(fields=["importer", "-etd", "-id"], name="shipment_importer_etd_idx"),
        ]

    def __str__(self):
        return f"{self.container_number} ({self.etd})"

    @property
    def container_display(self) -> str:
        """MSKU 907032 3: owner and category, serial number, check digit."""
        number = self.container_number
        return f"{number[:4]} {number[4:10]} {number[10:]}" if len(number) == 11 else number


class ShipmentStep(models.Model):
    """One step of a shipment's lifecycle: who moved it and when (append-only, by trigger)."""

    runtime_privileges = APPEND_ONLY

    cooperative = models.ForeignKey(Cooperative, on_delete=models.PROTECT, related_name="+")
    shipment = models.ForeignKey(Shipment, on_delete=models.PROTECT, related_name="steps")
    status = models.CharField(_("status"), max_length=10, choices=ShipmentStatus.choices)
    at = models.DateTimeField(_("at"), auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("shipment step")
        verbose_name_plural = _("shipment steps")

    def __str__(self):
        return f"{self.shipment_id}: {self.status}"


class RejectionReason(models.Model):
    cooperative = models.ForeignKey(Cooperative, on_delete=models.PROTECT, related_name="rejection_reasons")
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=120)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["cooperative", "code"]
        verbose_name = _("rejection reason")
        verbose_name_plural = _("rejection reasons")
        constraints = [models.UniqueConstraint(fields=["cooperative", "code"], name="rejection_reason_code_unique")]

    def __str__(self):
        return self.name


class Delivery(models.Model):
    """A producer's boxes from one plot loaded into a shipment on one day."""

    cooperative = models.ForeignKey(Cooperative, on_delete=models.PROTECT, related_name="+")
    shipment = models.ForeignKey(Shipment, on_delete=models.PROTECT, related_name="deliveries",
                                 verbose_name=_("shipment"))
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="deliveries", verbose_name=_("member"))
    plot = models.ForeignKey(Plot, on_delete=models.PROTECT, related_name="deliveries", verbose_name=_("plot"))
    date = models.DateField(_("date"))
    # Boxes, >= 0; accepted + rejected > 0.
    accepted_boxes = models.PositiveIntegerField(_("accepted boxes"), default=0)
    rejected_boxes = models.PositiveIntegerField(_("rejected boxes"), default=0)
    rejection_reason = models.ForeignKey(RejectionReason, on_delete=models.PROTECT, null=True, blank=True,
                                         related_name="+", verbose_name=_("rejection reason"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["shipment", "id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.CheckConstraint(condition=Q(accepted_boxes__gt=0) | Q(rejected_boxes__gt=0),
                                   name="delivery_has_boxes"),
            models.CheckConstraint(condition=Q(rejected_boxes=0) | Q(rejection_reason__isnull=False),
                                   name="delivery_rejection_has_reason"),
        ]
        indexes = [
            models.Index(fields=["shipment", "member"], name="delivery_shipment_member_idx"),
            models.Index(fields=["member", "date"], name="delivery_member_date_idx"),
            models.Index(fields=["cooperative", "date"], name="delivery_coop_date_idx"),
        ]

    def __str__(self):
        return f"{self.member_id} {self.accepted_boxes}"


class SaleReceipt(models.Model):
    """Fruit money the importer paid against a shipment's invoice (partial payments allowed)."""

    runtime_privileges = APPEND_ONLY

    cooperative = models.ForeignKey(Cooperative, on_delete=models.PROTECT, related_name="+")
    shipment = models.ForeignKey(Shipment, on_delete=models.PROTECT, related_name="sale_receipts")
    # USD, 2 places; > 0 and never more than what is outstanding.
    amount = models.DecimalField(_("amount"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))])
    received_on = models.DateField(_("received on"))
    reference = models.CharField(_("bank reference"), max_length=80)
    # PROTECT: the receipt's journal entry is part of the books.
    transaction = models.OneToOneField(Transaction, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["received_on", "id"]
        verbose_name = _("sale receipt")
        verbose_name_plural = _("sale receipts")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="sale_receipt_positive")]

    def __str__(self):
        return f"{self.shipment}: {self.amount}"


# Weekly settlements (liquidación) --------------------------------------------------------------


class DeductionBasis(models.TextChoices):
    PER_BOX = "per_box", _("per accepted box")
    PER_WEEK = "per_week", _("per week with deliveries")
    LOAN = "loan", _("loan installments due")


class DeductionType(models.Model):
    """What the co-op deducts from producers' weekly pay, in the order of ``priority`` (lowest
    first) when the pay does not cover everything."""

    cooperative = models.ForeignKey(Cooperative, on_delete=models.PROTECT, related_name="deduction_types")
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=120)
    basis = models.CharField(_("basis"), max_length=10, choices=DeductionBasis.choices)
    # USD, 2 places, per box or per week; >= 0.
    rate = models.DecimalField(_("rate"), **MONEY, default=Decimal("0.00"), validators=[MinValueValidator(0)])
    priority = models.PositiveSmallIntegerField(_("priority"), default=10,
                                                help_text=_("Lower numbers are recovered first."))
    # PROTECT: where the deducted money is credited in the books.
    account = models.ForeignKey("ledger.Account", on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("account credited"))
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["cooperative", "priority", "code"]
        verbose_name = _("deduction type")
        verbose_name_plural = _("deduction types")
        constraints = [
            models.UniqueConstraint(fields=["cooperative", "code"], name="deduction_type_code_unique"),
            models.CheckConstraint(condition=Q(rate__gte=0), name="deduction_rate_not_negative"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.account_id and self.cooperative_id and self.account.cooperative_id != self.cooperative_id:
            raise ValidationError({"account": _("Choose an account of the cooperative.")})
        if self.basis == DeductionBasis.LOAN and self.account_id and self.account.code != "1200":
            raise ValidationError({"account": _("Loan installments are credited to loans receivable (1200).")})


class SettlementStatus(models.TextChoices):
    COMPUTED = "computed", _("Computed, to review")
    APPROVED = "approved", _("Approved")
    POSTED = "posted", _("Posted to the books")


class Settlement(models.Model):
    """A co-op's weekly settlement: one line per producer who delivered that week."""

    cooperative = models.ForeignKey(Cooperative, on_delete=models.PROTECT, related_name="settlements")
    # The Monday of the week settled.
    week_start = models.DateField(_("week of"))
    status = models.CharField(_("status"), max_length=10, choices=SettlementStatus.choices,
                              default=SettlementStatus.COMPUTED)
    computed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    computed_at = models.DateTimeField(_("computed at"))
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    # PROTECT: the settlement's journal entry is part of the books.
    transaction = models.OneToOneField(Transaction, on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="+")

    class Meta:
        ordering = ["cooperative", "-week_start"]
        verbose_name = _("settlement")
        verbose_name_plural = _("settlements")
        constraints = [
            # One settlement per co-op and week: a week's pay is posted exactly once.
            models.UniqueConstraint(fields=["cooperative", "week_start"], name="one_settlement_per_week"),
            models.CheckConstraint(condition=Q(week_start__week_day=2), name="settlement_week_starts_monday"),
            models.CheckConstraint(condition=~Q(status="posted") | Q(transaction__isnull=False),
                                   name="posted_settlement_has_transaction"),
            models.UniqueConstraint(fields=["id", "cooperative"], name="settlement_id_cooperative_key"),
        ]

    def __str__(self):
        return f"{self.cooperative.short_name} {self.week_start}"


class SettlementLine(models.Model):
    """One producer's pay for the week. All amounts USD, 2 places; net = gross - recovered >= 0."""

    cooperative = models.ForeignKey(Cooperative, on_delete=models.PROTECT, related_name="+")
    settlement = models.ForeignKey(Settlement, on_delete=models.CASCADE, related_name="lines")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="settlement_lines")
    boxes = models.PositiveIntegerField(_("accepted boxes"))
    rejected_boxes = models.PositiveIntegerField(_("rejected boxes"), default=0)
    gross = models.DecimalField(_("gross pay"), **MONEY)
    deducted = models.DecimalField(_("deducted"), **MONEY)
    net = models.DecimalField(_("net pay"), **MONEY)
    carried_forward = models.DecimalField(_("carried forward"), **MONEY, default=Decimal("0.00"))

    class Meta:
        ordering = ["settlement", "member"]
        verbose_name = _("settlement line")
        verbose_name_plural = _("settlement lines")
        constraints = [
            models.UniqueConstraint(fields=["settlement", "member"], name="one_line_per_member"),
            models.CheckConstraint(condition=Q(net__gte=0), name="net_pay_never_negative"),
            models.CheckConstraint(condition=Q(net=models.F("gross") - models.F("deducted")),
                                   name="net_is_gross_minus_deducted"),
            models.CheckConstraint(condition=Q(deducted__gte=0) & Q(carried_forward__gte=0),
                                   name="deductions_not_negative"),
        ]

    def __str__(self):
        return f"{self.settlement}: {self.member_id}"


class SettlementDeduction(models.Model):
    """A deduction on a line: what was due (this week's plus what earlier weeks carried), what
    the pay covered, and what is carried to the next settlement."""

    line = models.ForeignKey(SettlementLine, on_delete=models.CASCADE, related_name="deductions")
    type = models.ForeignKey(DeductionType, on_delete=models.PROTECT, related_name="+")
    # USD, 2 places; due = this week + carried in; recovered + carried forward = due.
    this_week = models.DecimalField(_("this week"), **MONEY)
    carried_in = models.DecimalField(_("carried in"), **MONEY)
    recovered = models.DecimalField(_("recovered"), **MONEY)
    carried_forward = models.DecimalField(_("carried forward"), **MONEY)

    class Meta:
        ordering = ["line", "type__priority", "type__code"]
        verbose_name = _("deduction")
        verbose_name_plural = _("deductions")
        constraints = [
            models.CheckConstraint(
                condition=Q(recovered__gte=0) & Q(carried_forward__gte=0) & Q(this_week__gte=0) & Q(carried_in__gte=0),
                name="deduction_parts_not_negative"),
            models.CheckConstraint(
                condition=Q(recovered=models.F("this_week") + models.F("carried_in") - models.F("carried_forward")),
                name="deduction_recovered_or_carried"),
        ]

    def __str__(self):
        return f"{self.type}: {self.recovered}"


class DocumentKind(models.TextChoices):
    INVOICE = "invoice", _("Commercial invoice")
    PACKING_LIST = "packing_list", _("Packing list")
    BILL_OF_LADING = "bill_of_lading", _("Bill of lading")
    PHYTOSANITARY = "phytosanitary", _("Phytosanitary certificate")
    ORIGIN = "origin", _("Certificate of origin")
    FAIRTRADE = "fairtrade", _("Fairtrade transaction certificate")
    ORGANIC = "organic", _("Organic certificate of inspection")
    OTHER = "other", _("Other")


class ShipmentDocument(models.Model):
    """A document of the shipment (invoice, bill of lading, certificates): the importer reads
    those of its shipments through the API."""

    cooperative = models.ForeignKey(Cooperative, on_delete=models.PROTECT, related_name="+")
    shipment = models.ForeignKey(Shipment, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    file = models.FileField(_("file"), upload_to="shipments/%Y/")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["shipment", "kind", "id"]
        verbose_name = _("shipment document")
        verbose_name_plural = _("shipment documents")

    def __str__(self):
        return f"{self.get_kind_display()} {self.shipment_id}"
