"""VAT rates per country and tax class (data that staff keep current in the admin), and the
invoices and credit notes the shop issues, numbered without gaps."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Round
from django_countries.fields import CountryField

from catalog.models import TaxClass
from orders.pricing import vat_by_rate

# A zero-rated product is sold at 0% everywhere; only these classes have rates per country.
RATED_CLASSES = [
    (TaxClass.STANDARD.value, TaxClass.STANDARD.label),
    (TaxClass.REDUCED.value, TaxClass.REDUCED.label),
]


class TaxRate(models.Model):
    """The VAT rate of one tax class in one country, in percent (e.g. 19.00 or 5.50).

    A country with a standard rate is one the shop charges its own VAT for (the EU member
    states, loaded by a migration); a country without one is charged the shop's own country's
    rates (see billing.selectors.tax_rates_for). A country without a reduced rate sells
    reduced-rate products at its standard rate.
    """

    country = CountryField()
    tax_class = models.CharField(max_length=10, choices=RATED_CLASSES)
    rate = models.DecimalField(
        "rate (%)",
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(99.99)],
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["country", "tax_class"]
        constraints = [
            models.UniqueConstraint(fields=["country", "tax_class"], name="one_rate_per_class"),
            models.CheckConstraint(
                condition=Q(rate__gte=0) & Q(rate__lt=100), name="tax_rate_between_0_and_100"
            ),
        ]

    def __str__(self):
        return f"{self.country.code} {self.get_tax_class_display()}: {self.rate}%"


class NumberSeries(models.Model):
    """The last number issued in one series (invoices or credit notes) for one year.

    Numbers come from this row, locked (`SELECT ... FOR UPDATE`) in the transaction that
    issues the document, never from a database sequence: a sequence hands out numbers that a
    rolled-back transaction then skips, while this row's increment rolls back with it, so
    numbers have no gaps and, since the row is locked, no duplicates.
    """

    series = models.CharField(max_length=20)
    year = models.PositiveIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["series", "year"], name="one_counter_per_series_year")
        ]

    def __str__(self):
        return f"{self.series} {self.year}: {self.last_number}"


class Document(models.Model):
    """An invoice or a credit note, as issued: numbered, dated, with the seller, the buyer and
    every line copied, so that later edits of the order, the catalog or the shop's settings
    never change a document once issued. Amounts are positive on both kinds; a credit note
    takes its amounts off the invoice it corrects (the VAT report shows them negative).

    `Invoice` and `CreditNote` below are the two kinds as the admin lists them.
    """

    class Kind(models.TextChoices):
        INVOICE = "invoice", "Invoice"
        CREDIT_NOTE = "credit_note", "Credit note"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    number = models.CharField(max_length=20, unique=True)
    year = models.PositiveIntegerField()
    sequence = models.PositiveIntegerField()
    issued_at = models.DateTimeField(db_index=True)
    # The credit note's invoice.
    invoice = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="credit_notes"
    )
    # Documents are kept for the books even if the order row goes; its number stays.
    order = models.ForeignKey(
        "orders.Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="documents"
    )
    order_number = models.CharField(max_length=8, db_index=True)
    currency = models.CharField(max_length=3)

    seller_name = models.CharField(max_length=200)
    seller_address = models.TextField()
    seller_vat_id = models.CharField("seller VAT ID", max_length=30, blank=True)
    buyer_name = models.CharField(max_length=150)
    buyer_address = models.TextField()
    buyer_email = models.EmailField()
    # The country whose VAT rates applied (orders.Order.vat_country).
    vat_country = CountryField("VAT country", blank=True)

    # Sums of the lines: net + vat = gross; gross is what was paid (or refunded).
    net = models.DecimalField(max_digits=12, decimal_places=2)
    vat = models.DecimalField("VAT", max_digits=12, decimal_places=2)
    gross = models.DecimalField(max_digits=12, decimal_places=2)
    # Shown on an invoice: what a discount code took off (already in the lines' amounts).
    discount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    discount_label = models.CharField(max_length=250, blank=True)

    # A credit note's reason, the refund it documents and the staff member who made it.
    reason = models.CharField(max_length=200, blank=True)
    refund_reference = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    # The rendered PDF in the default storage; empty until rendered (after commit).
    pdf = models.FileField("PDF", upload_to="billing/", max_length=255, blank=True)

    class Meta:
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "year", "sequence"], name="one_document_per_number"
            ),
            models.UniqueConstraint(
                fields=["order"],
                condition=Q(kind="invoice"),
                name="one_invoice_per_order",
            ),
            models.CheckConstraint(
                condition=Q(kind="invoice", invoice__isnull=True)
                | Q(kind="credit_note", invoice__isnull=False),
                name="credit_note_refers_to_invoice",
            ),
            models.CheckConstraint(
                condition=Q(net__gte=0, vat__gte=0, gross=Round(F("net") + F("vat"), 2)),
                name="document_vat_adds_up",
            ),
        ]
        indexes = [models.Index(fields=["kind", "issued_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}"

    @property
    def is_credit_note(self):
        return self.kind == self.Kind.CREDIT_NOTE

    @property
    def filename(self):
        return f"{self.get_kind_display().lower().replace(' ', '-')}-{self.number}.pdf"

    @property
    def vat_by_rate(self):
        """The lines' net and VAT summed per rate (orders.pricing.VatAmount), highest first."""
        return vat_by_rate([(line.vat_rate, line.net, line.vat) for line in self.lines.all()])


class DocumentLine(models.Model):
    """One line of an invoice or credit note: goods, shipping, or (for a refund of an amount
    rather than of items) the part of the amount at one VAT rate."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="lines")
    description = models.CharField(max_length=300)
    sku = models.CharField("SKU", max_length=64, blank=True)
    quantity = models.PositiveIntegerField(default=1)
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)  # VAT included
    discount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    vat_rate = models.DecimalField("VAT rate (%)", max_digits=5, decimal_places=2)
    net = models.DecimalField(max_digits=12, decimal_places=2)
    vat = models.DecimalField("VAT", max_digits=12, decimal_places=2)
    gross = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(gross=Round(F("net") + F("vat"), 2)), name="document_line_adds_up"
            ),
        ]

    def __str__(self):
        return f"{self.quantity} x {self.description}"


class InvoiceManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(kind=Document.Kind.INVOICE)


class CreditNoteManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(kind=Document.Kind.CREDIT_NOTE)


class Invoice(Document):
    objects = InvoiceManager()

    class Meta:
        proxy = True
        ordering = ["-issued_at", "-pk"]


class CreditNote(Document):
    objects = CreditNoteManager()

    class Meta:
        proxy = True
        ordering = ["-issued_at", "-pk"]
