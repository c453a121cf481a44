"""Carts, orders (with lines and a status history) and the outbox of order emails."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Round
from django.urls import reverse
from django_countries.fields import CountryField

from catalog.models import TaxClass
from orders.pricing import ShippingMethod, Totals, discount_label, vat_by_rate
from outbox.models import OutboxEmail

ORDER_NUMBER_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
ORDER_NUMBER_LENGTH = 8


def new_order_number():
    """Eight random characters without look-alikes (0/O, 1/I): unique enough, not guessable."""
    return "".join(secrets.choice(ORDER_NUMBER_ALPHABET) for _ in range(ORDER_NUMBER_LENGTH))


class Cart(models.Model):
    """A signed-in customer's cart. Anonymous visitors keep theirs in the session."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cart"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Cart of {self.user}"


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey("catalog.Variant", on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField()
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "variant"], name="one_line_per_variant"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="cart_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.quantity} x {self.variant_id}"


class Order(models.Model):
    class Status(models.TextChoices):
        PENDING_PAYMENT = "pending_payment", "Pending payment"
        PAID = "paid", "Paid"
        SHIPPED = "shipped", "Shipped"
        DELIVERED = "delivered", "Delivered"
        CANCELLED = "cancelled", "Cancelled"
        PARTIALLY_REFUNDED = "partially_refunded", "Partially refunded"
        REFUNDED = "refunded", "Refunded"

    # The only moves an order may make; services refuse any other. A partial refund may follow
    # another (each one is a step in the history). A partially refunded order not yet shipped
    # can still ship the rest or be cancelled; once shipped (`shipped_at`) it cannot.
    ALLOWED_TRANSITIONS = {
        Status.PENDING_PAYMENT: {Status.PAID, Status.CANCELLED},
        Status.PAID: {Status.SHIPPED, Status.CANCELLED, Status.PARTIALLY_REFUNDED, Status.REFUNDED},
        Status.SHIPPED: {Status.DELIVERED, Status.PARTIALLY_REFUNDED, Status.REFUNDED},
        Status.DELIVERED: {Status.PARTIALLY_REFUNDED, Status.REFUNDED},
        Status.PARTIALLY_REFUNDED: {
            Status.PARTIALLY_REFUNDED,
            Status.REFUNDED,
            Status.SHIPPED,
            Status.CANCELLED,
        },
        Status.REFUNDED: set(),
        Status.CANCELLED: set(),
    }
    UNSHIPPED_ONLY = {Status.SHIPPED, Status.CANCELLED}
    # Orders that were paid and may have money given back.
    REFUNDABLE = {Status.PAID, Status.SHIPPED, Status.DELIVERED, Status.PARTIALLY_REFUNDED}

    ShippingMethod = ShippingMethod

    number = models.CharField(
        max_length=ORDER_NUMBER_LENGTH, unique=True, default=new_order_number, editable=False
    )
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orders",
    )
    email = models.EmailField()
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.PENDING_PAYMENT, db_index=True
    )
    # One-time token from the checkout form: a second submit finds this order instead of
    # creating another.
    checkout_token = models.CharField(max_length=64, unique=True, editable=False)

    shipping_full_name = models.CharField("full name", max_length=150)
    shipping_line1 = models.CharField("address line 1", max_length=200)
    shipping_line2 = models.CharField("address line 2", max_length=200, blank=True)
    shipping_city = models.CharField("city", max_length=100)
    shipping_postal_code = models.CharField("postal code", max_length=20)
    shipping_country = CountryField("country")
    shipping_phone = models.CharField("phone", max_length=30, blank=True)
    billing_full_name = models.CharField("full name", max_length=150)
    billing_line1 = models.CharField("address line 1", max_length=200)
    billing_line2 = models.CharField("address line 2", max_length=200, blank=True)
    billing_city = models.CharField("city", max_length=100)
    billing_postal_code = models.CharField("postal code", max_length=20)
    billing_country = CountryField("country")
    billing_phone = models.CharField("phone", max_length=30, blank=True)

    # The money, as orders.pricing computed it at checkout (prices include VAT):
    # total = subtotal + shipping_cost - discount. The discount (a code's, copied so that later
    # edits of the code never change the order) includes `shipping_discount`. Shipping's VAT is
    # extracted from shipping_cost - shipping_discount at `shipping_vat_rate`; each line holds
    # its own net, rate and VAT. `vat_country` is the country whose rates applied.
    shipping_method = models.CharField(max_length=20, choices=ShippingMethod.choices)
    currency = models.CharField(max_length=3)
    subtotal = models.DecimalField(max_digits=12, decimal_places=2)
    shipping_cost = models.DecimalField(max_digits=12, decimal_places=2)
    discount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    discount_code = models.CharField(max_length=40, blank=True)
    discount_description = models.CharField(max_length=200, blank=True)
    shipping_discount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    shipping_vat_rate = models.DecimalField(
        "shipping VAT rate (%)", max_digits=5, decimal_places=2, default=0
    )
    shipping_vat = models.DecimalField("shipping VAT", max_digits=12, decimal_places=2, default=0)
    vat_country = CountryField("VAT country", blank=True)
    total = models.DecimalField(max_digits=12, decimal_places=2)
    # What credit notes gave back so far (orders/services/refunds.py), and whether the
    # shipping paid was among it.
    refunded_total = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    shipping_refunded = models.BooleanField(default=False)

    payment_brand = models.CharField(max_length=20, blank=True)
    payment_last4 = models.CharField(max_length=4, blank=True)
    payment_reference = models.CharField(max_length=100, blank=True)
    refund_reference = models.CharField(max_length=100, blank=True)
    tracking_number = models.CharField(max_length=100, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        permissions = [("refund_order", "Can refund orders and return items")]
        indexes = [
            models.Index(fields=["customer", "-created_at"]),
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["-created_at"], name="order_created_desc_idx"),
            models.Index(fields=["email"]),
            # The sales reports sum paid orders by payment date.
            models.Index(
                fields=["paid_at"], name="order_paid_at_idx", condition=Q(paid_at__isnull=False)
            ),
            models.Index(
                fields=["paid_at"],
                name="order_paid_with_code_idx",
                condition=Q(paid_at__isnull=False) & ~Q(discount_code=""),
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(total__gte=0), name="order_total_not_negative"),
            models.CheckConstraint(
                condition=Q(discount__gte=0, shipping_discount__gte=0),
                name="order_discount_not_negative",
            ),
            # Rounded so that SQLite, which keeps decimals as floats, compares them as well.
            models.CheckConstraint(
                condition=Q(total=Round(F("subtotal") + F("shipping_cost") - F("discount"), 2)),
                name="order_total_adds_up",
            ),
            models.CheckConstraint(
                condition=Q(refunded_total__gte=0, refunded_total__lte=F("total")),
                name="order_refunds_within_total",
            ),
        ]

    def __str__(self):
        return f"Order {self.number}"

    def get_absolute_url(self):
        return reverse("orders:detail", args=[self.number])

    @property
    def shipping_address(self):
        return self._address("shipping")

    @property
    def billing_address(self):
        return self._address("billing")

    def _address(self, prefix):
        """One of the copied addresses with the field names of accounts.Address, so the same
        template renders both."""
        fields = ["full_name", "line1", "line2", "city", "postal_code", "country", "phone"]
        return {field: getattr(self, f"{prefix}_{field}") for field in fields}

    def can_transition_to(self, status):
        if self.status == self.Status.PARTIALLY_REFUNDED and status in self.UNSHIPPED_ONLY:
            return self.shipped_at is None
        return status in self.ALLOWED_TRANSITIONS[self.Status(self.status)]

    @property
    def shipping_paid(self):
        return self.shipping_cost - self.shipping_discount

    @property
    def shipping_net(self):
        return self.shipping_paid - self.shipping_vat

    @property
    def totals(self):
        """Subtotal, shipping, discount, total and VAT per rate, as the totals include shows
        them (reads the lines: prefetch them for a list)."""
        lines = self.lines.all()
        return Totals(
            subtotal=self.subtotal,
            shipping=self.shipping_cost,
            discount=self.discount,
            discount_label=(
                discount_label(self.discount_code, self.discount_description)
                if self.discount
                else ""
            ),
            total=self.total,
            vat=vat_by_rate(
                [(line.vat_rate, line.net_amount, line.vat_amount) for line in lines]
                + [(self.shipping_vat_rate, self.shipping_net, self.shipping_vat)]
            ),
        )


class OrderLine(models.Model):
    """What was bought, copied at checkout so later catalog edits never change the order."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(
        "catalog.Variant", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    product_name = models.CharField(max_length=200)
    options_label = models.CharField(max_length=200, blank=True)
    sku = models.CharField("SKU", max_length=64)
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    quantity = models.PositiveIntegerField()
    # unit_price x quantity, VAT included; the customer paid line_total - discount, of which
    # vat_amount is VAT at vat_rate and net_amount the rest.
    line_total = models.DecimalField(max_digits=12, decimal_places=2)
    discount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    tax_class = models.CharField(max_length=10, choices=TaxClass.choices, default=TaxClass.STANDARD)
    vat_rate = models.DecimalField("VAT rate (%)", max_digits=5, decimal_places=2, default=0)
    vat_amount = models.DecimalField("VAT", max_digits=12, decimal_places=2, default=0)
    net_amount = models.DecimalField("net", max_digits=12, decimal_places=2, default=0)
    # The automatic promotion whose sale price unit_price is, if any (its label copied).
    promotion = models.ForeignKey(
        "promotions.Promotion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="order_lines",
    )
    promotion_label = models.CharField(max_length=120, blank=True)
    # Units given back by refunds that named this line (orders/services/refunds.py).
    refunded_quantity = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="order_quantity_positive"),
            models.CheckConstraint(
                condition=Q(refunded_quantity__lte=F("quantity")),
                name="order_line_refunds_within_quantity",
            ),
            models.CheckConstraint(
                condition=Q(discount__gte=0, discount__lte=F("line_total")),
                name="order_line_discount_within_total",
            ),
            models.CheckConstraint(
                condition=Q(line_total=Round(F("net_amount") + F("vat_amount") + F("discount"), 2)),
                name="order_line_vat_adds_up",
            ),
        ]

    def __str__(self):
        return f"{self.quantity} x {self.sku}"

    @property
    def paid(self):
        """What the customer paid for the line: its total less its share of a discount."""
        return self.line_total - self.discount

    @property
    def refundable_quantity(self):
        return self.quantity - self.refunded_quantity

    @property
    def description(self):
        if self.options_label:
            return f"{self.product_name} ({self.options_label})"
        return self.product_name


class OrderStatusChange(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=Order.Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Order.Status.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(max_length=200, blank=True)
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["changed_at", "pk"]

    def __str__(self):
        # Shown above each row of the order's status history in the admin.
        return f"{self.get_from_status_display() or 'Placed'} → {self.get_to_status_display()}"


class OrderEmail(OutboxEmail):
    """The order emails' outbox: one row per email an order owes its customer.

    The row is written in the same transaction as the order change that calls for it, so the
    intent survives a broker outage; a worker claims it atomically before sending, so it is
    sent once (see outbox.services).
    """

    class Kind(models.TextChoices):
        CONFIRMATION = "confirmation", "Order confirmation"
        SHIPPED = "shipped", "Shipping notice"
        CANCELLED = "cancelled", "Cancellation notice"
        LINK = "link", "New order link"
        REFUND = "refund", "Refund notice"

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="emails")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # A refund notice is about one credit note; an order may have several.
    credit_note = models.ForeignKey(
        "billing.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "kind"],
                condition=Q(credit_note__isnull=True),
                name="one_email_per_order_kind",
            ),
            models.UniqueConstraint(fields=["credit_note"], name="one_email_per_credit_note"),
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.order.number}"
