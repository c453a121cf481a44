"""What an order's invoice and credit notes say: their lines, built from the figures the order
stores (orders.pricing computed them at checkout; refunds share them out with
`refund_of_units` and `allocate_by_rate`), issued through billing.services.

Every function here runs inside the caller's transaction, holding the order row lock; issuing
locks the billing number series last.
"""

from django.db.models import F

from billing.models import Document
from billing.selectors import invoice_of, uncredited_by_rate
from billing.services import Buyer, LineData, issue_document
from catalog.templatetags.catalog_tags import percent
from orders.pricing import ZERO, allocate_by_rate, refund_of_units


def _buyer(order):
    return Buyer(
        name=order.billing_full_name,
        address_lines=(
            order.billing_line1,
            order.billing_line2,
            f"{order.billing_postal_code} {order.billing_city}",
            order.billing_country.name,
        ),
        email=order.email,
    )


def _shipping_description(order):
    return f"Shipping ({order.get_shipping_method_display()})"


def _issue(order, *, lines, invoice=None, **details):
    """Issue the order's invoice, or (with the `invoice`) one of its credit notes."""
    return issue_document(
        kind=Document.Kind.CREDIT_NOTE if invoice else Document.Kind.INVOICE,
        order_id=order.pk,
        order_number=order.number,
        currency=order.currency,
        buyer=_buyer(order),
        vat_country=str(order.vat_country or ""),
        lines=lines,
        invoice=invoice,
        **details,
    )


def invoice_paid_order(order):
    """Issue the invoice of an order being marked paid: every line as the order stores it
    (quantity, unit price, discount share, VAT rate, net, VAT) and the shipping. Call it in the
    transaction, holding the order row lock, that marks the order paid."""
    lines = [
        LineData(
            description=line.description,
            sku=line.sku,
            quantity=line.quantity,
            unit_price=line.unit_price,
            discount=line.discount,
            vat_rate=line.vat_rate,
            net=line.net_amount,
            vat=line.vat_amount,
        )
        for line in order.lines.all()
    ]
    lines.append(
        LineData(
            description=_shipping_description(order),
            unit_price=order.shipping_cost,
            discount=order.shipping_discount,
            vat_rate=order.shipping_vat_rate,
            net=order.shipping_net,
            vat=order.shipping_vat,
        )
    )
    label = order.totals.discount_label
    return _issue(order, lines=lines, discount=order.discount, discount_label=label)


def returned_units_line(line, units):
    """The credit note line for `units` more refunded units of an order line."""
    gross, vat = refund_of_units(
        paid=line.paid,
        vat=line.vat_amount,
        quantity=line.quantity,
        refunded=line.refunded_quantity,
        refunding=units,
    )
    return LineData(
        description=line.description,
        sku=line.sku,
        quantity=units,
        unit_price=line.unit_price,
        vat_rate=line.vat_rate,
        net=gross - vat,
        vat=vat,
    )


def shipping_credit_line(order):
    """The credit note line giving back the shipping paid."""
    return LineData(
        description=_shipping_description(order),
        unit_price=order.shipping_paid,
        vat_rate=order.shipping_vat_rate,
        net=order.shipping_net,
        vat=order.shipping_vat,
    )


def _uncredited_lines(order):
    """Credit note lines for every unit and the shipping not credited yet."""
    lines = [
        returned_units_line(line, line.refundable_quantity)
        for line in order.lines.all()
        if line.refundable_quantity
    ]
    if not order.shipping_refunded and order.shipping_paid:
        lines.append(shipping_credit_line(order))
    return lines


def _lines_by_rate(parts, *, description):
    """Credit note lines for an amount that names no items: one per VAT rate."""
    return [
        LineData(
            description=f"{description} at {percent(part.rate)} VAT",
            unit_price=part.gross,
            vat_rate=part.rate,
            net=part.net,
            vat=part.vat,
        )
        for part in parts
    ]


def issue_credit_note(order, *, lines, reason="", refund_reference="", created_by=None):
    """A credit note of `lines` referring to the order's invoice; None for an order paid before
    the shop issued invoices (its refund is recorded all the same)."""
    invoice = invoice_of(order.pk)
    if invoice is None:
        return None
    return _issue(
        order,
        lines=lines,
        invoice=invoice,
        reason=reason,
        refund_reference=refund_reference,
        created_by=created_by,
    )


def credit_amount(order, *, amount, description, reason="", refund_reference="", created_by=None):
    """A credit note for an amount that names no items: split over the VAT rates the order's
    credit notes have not yet taken back, in proportion to what is left at each
    (`orders.pricing.allocate_by_rate`). None for an order without an invoice."""
    invoice = invoice_of(order.pk)
    if invoice is None:
        return None
    parts = allocate_by_rate(amount, uncredited_by_rate(invoice))
    return _issue(
        order,
        lines=_lines_by_rate(parts, description=description),
        invoice=invoice,
        reason=reason,
        refund_reference=refund_reference,
        created_by=created_by,
    )


def credit_the_rest(order, *, reason, refund_reference="", created_by=None):
    """Credit everything of a cancelled paid order not credited yet, and mark every line and
    the shipping refunded. The credit note lists the items and shipping left when they add up
    to what is left to credit; when part was credited by amount alone before (a refund in
    Stripe's dashboard), the rest is credited per VAT rate instead. Call it holding the order
    row lock, after the refund and the restock. Returns the credit note, or None (no invoice,
    or nothing left)."""
    left = order.total - order.refunded_total
    note = None
    if left > 0:
        lines = _uncredited_lines(order)
        details = {"reason": reason, "refund_reference": refund_reference, "created_by": created_by}
        if sum((line.gross for line in lines), ZERO) == left:
            note = issue_credit_note(order, lines=lines, **details)
        else:
            note = credit_amount(order, amount=left, description="Refund", **details)
    order.lines.update(refunded_quantity=F("quantity"))
    order.shipping_refunded = True
    order.refunded_total = order.total
    order.save(update_fields=["refunded_total", "shipping_refunded", "updated_at"])
    return note
