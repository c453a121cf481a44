"""manage.py create_discount_code CODE (--percent P | --amount A | --free-shipping)
[--min-subtotal S] [--max-uses N] [--max-uses-per-customer N] [--starts DATE] [--ends DATE]"""

import argparse
from datetime import datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from catalog.templatetags.catalog_tags import money
from promotions.models import DiscountCode
from promotions.services import DuplicateCode, create_discount_code


def positive_amount(text):
    """A positive amount with at most two decimals."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value.is_finite() or value <= 0 or value >= Decimal("1e10"):
        raise argparse.ArgumentTypeError(f"{text!r} must be more than 0")
    if value.as_tuple().exponent < -2:
        raise argparse.ArgumentTypeError(f"{text!r} has more than 2 decimal places")
    return value


def percentage(text):
    value = positive_amount(text)
    if value > 100:
        raise argparse.ArgumentTypeError(f"{text!r} is more than 100")
    return value


def count(text):
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 1 or more")
    return int(text)


def moment(text):
    """YYYY-MM-DD (midnight at its start, in the shop's time zone) or YYYY-MM-DDTHH:MM."""
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date like 2026-03-31 (or 2026-03-31T18:00)"
        ) from None
    if parsed.tzinfo is None:
        parsed = timezone.make_aware(parsed)
    return parsed, len(text) == len("YYYY-MM-DD")


class Command(BaseCommand):
    help = (
        "Create a discount code customers can type in the cart: a percentage or an amount off "
        "the order, or free shipping, with optional limits. --ends DATE is the last day it "
        "can be used."
    )

    def add_arguments(self, parser):
        parser.add_argument("code", help="3-40 letters, digits, - or _ (matched ignoring case)")
        kind = parser.add_mutually_exclusive_group(required=True)
        kind.add_argument("--percent", type=percentage, metavar="P", help="percent off")
        kind.add_argument(
            "--amount", type=positive_amount, metavar="A", help="amount off the order"
        )
        kind.add_argument("--free-shipping", action="store_true", help="waive shipping")
        parser.add_argument("--min-subtotal", type=positive_amount, metavar="S")
        parser.add_argument("--max-uses", type=count, metavar="N", help="orders in all")
        parser.add_argument("--max-uses-per-customer", type=count, metavar="N")
        parser.add_argument("--starts", type=moment, metavar="DATE")
        parser.add_argument("--ends", type=moment, metavar="DATE", help="its last day")

    def handle(self, *args, code, percent, amount, free_shipping, starts, ends, **options):
        if percent is not None:
            kind, value = DiscountCode.Kind.PERCENT, percent
        elif amount is not None:
            kind, value = DiscountCode.Kind.AMOUNT, amount
        else:
            kind, value = DiscountCode.Kind.FREE_SHIPPING, Decimal(0)
        starts_at = starts[0] if starts else None
        ends_at = None
        if ends:
            # A date means "until the end of that day".
            ends_at, whole_day = ends
            if whole_day:
                ends_at = timezone.make_aware(
                    datetime.combine(ends_at.date() + timedelta(days=1), time.min)
                )
        try:
            created = create_discount_code(
                code=code,
                kind=kind,
                value=value,
                min_subtotal=options["min_subtotal"],
                max_uses=options["max_uses"],
                max_uses_per_customer=options["max_uses_per_customer"],
                starts_at=starts_at,
                ends_at=ends_at,
            )
        except ValidationError as error:
            problems = [
                f"{'CODE' if field == 'code' else '--' + field.replace('_', '-')}: {message}"
                for field, messages in error.message_dict.items()
                for message in messages
            ]
            raise CommandError(" ".join(problems)) from None
        except DuplicateCode as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Created discount code {created.code}: {describe(created)}.")


def describe(code):
    parts = [code.description.lower()]
    if code.min_subtotal:
        parts.append(f"from a subtotal of {money(code.min_subtotal)}")
    if code.max_uses:
        parts.append(f"at most {code.max_uses} orders")
    if code.max_uses_per_customer:
        parts.append(f"{code.max_uses_per_customer} per customer")
    window = []
    if code.starts_at:
        window.append(f"from {timezone.localtime(code.starts_at):%Y-%m-%d %H:%M}")
    if code.ends_at:
        ends = timezone.localtime(code.ends_at)
        if ends.time() == time.min:
            window.append(f"through {ends.date() - timedelta(days=1):%Y-%m-%d}")
        else:
            window.append(f"until {ends:%Y-%m-%d %H:%M}")
    if window:
        parts.append(" ".join(window))
    return ", ".join(parts)
