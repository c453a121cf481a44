"""The pages every shop has, with sensible defaults staff can rewrite in the admin. Amounts come
from the settings at the time of migrating; after that the text is the staff's."""

from email.utils import parseaddr

from django.conf import settings
from django.db import migrations

from catalog.templatetags.catalog_tags import money as _money


def default_pages():
    email = parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "shop@example.com"
    shop, days = settings.SHOP_NAME, settings.SHOP_RETURNS_DAYS
    return [
        {
            "slug": "shipping-returns",
            "title": "Shipping & returns",
            "summary": f"Delivery times and costs, and how to return an order within {days} days.",
            "body": f"""## Shipping

- **Standard** (3–5 working days): {_money(settings.SHOP_STANDARD_SHIPPING)}, **free from {_money(settings.SHOP_FREE_SHIPPING_THRESHOLD)}**.
- **Express** (next working day when ordered before 2 pm): {_money(settings.SHOP_EXPRESS_SHIPPING)}.

Orders are packed on the day they are paid for. You get an email with the tracking number as soon as your parcel leaves our warehouse.

## Returns

Changed your mind? Send anything back unused within **{days} days** of delivery for a full refund, shipping included when the whole order comes back.

1. Email us at [{email}](mailto:{email}) with your order number.
2. We reply with a prepaid return label.
3. Your refund reaches your card within 5 working days of the parcel arriving.

Faulty or damaged items are replaced or refunded at any time within the legal guarantee.
""",
            "position": 1,
        },
        {
            "slug": "contact",
            "title": "Contact",
            "summary": f"How to reach {shop}'s customer service.",
            "body": f"""We answer every message within one working day.

- **Email:** [{email}](mailto:{email})
- **Hours:** Monday to Friday, 9:00–17:00

Please include your order number when writing about an order: it is in your confirmation email and under *My account*.
""",
            "position": 2,
        },
        {
            "slug": "about",
            "title": "About us",
            "summary": f"Who is behind {shop} and what we stand for.",
            "body": f"""{shop} sells everyday goods that last: clothing, shoes, home and kitchen, outdoor gear and more, from brands we have tried ourselves.

We keep prices fair, describe products honestly and ship fast. If something is not right, we make it right.
""",
            "position": 3,
        },
        {
            "slug": "privacy",
            "title": "Privacy",
            "summary": "What personal data we keep, why, and your rights.",
            "body": f"""We collect only what we need to deliver your order: your name, email, addresses and phone number (if you give one). Card details go to our payment provider and never reach our servers; we keep the card's brand and last four digits.

- **Why:** to deliver your order, send order emails and keep the accounts the law requires.
- **How long:** your account until you delete it (under *My account*); orders and invoices for the legal retention period.
- **Your rights:** download your data or delete your account at any time under *My account*, or write to [{email}](mailto:{email}).

We use one cookie to keep your cart and login. No advertising or tracking cookies.
""",
            "position": 4,
        },
        {
            "slug": "terms",
            "title": "Terms & conditions",
            "summary": f"The terms of buying from {shop}.",
            "body": f"""These terms apply to every order placed with {shop}.

## Orders and prices

Prices include VAT. A contract is made when we confirm your order by email. If we cannot deliver an item, we tell you and refund it at once.

## Payment

Your card is charged when you place the order.

## Returns

You may return goods within {days} days of delivery; see [Shipping & returns](/pages/shipping-returns/).
""",
            "position": 5,
        },
    ]


def create_pages(apps, schema_editor):
    Page = apps.get_model("pages", "Page")
    for values in default_pages():
        Page.objects.get_or_create(slug=values["slug"], defaults=values)


def delete_pages(apps, schema_editor):
    slugs = [values["slug"] for values in default_pages()]
    apps.get_model("pages", "Page").objects.filter(slug__in=slugs).delete()


class Migration(migrations.Migration):
    dependencies = [("pages", "0001_initial")]

    operations = [migrations.RunPython(create_pages, delete_pages)]
