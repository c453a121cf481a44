"""Cart and checkout forms: input validation and the messages a customer reads."""

import functools
import html
import re
import secrets

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.safestring import mark_safe
from django_countries import countries

from catalog.models import Variant
from catalog.templatetags.catalog_tags import money
from orders.models import Order
from orders.pricing import shipping_cost
from orders.services import AddressData
from payments.cards import Card, luhn_is_valid
from payments.gateways import hosted_checkout

MAX_QUANTITY = 999
CHECKOUT_TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
EXPIRY_PATTERN = re.compile(r"^(0?[1-9]|1[0-2])\s*/\s*([0-9]{2})$")


def new_checkout_token():
    return secrets.token_urlsafe(32)


class AddToCartForm(forms.Form):
    variant = forms.ModelChoiceField(
        queryset=Variant.objects.select_related("product"),
        error_messages={"invalid_choice": "That product is not available."},
    )
    quantity = forms.IntegerField(label="Quantity", min_value=1, max_value=MAX_QUANTITY, initial=1)


class CartQuantityForm(forms.Form):
    quantity = forms.IntegerField(label="Quantity", min_value=0, max_value=MAX_QUANTITY)


def country_choices():
    return [("", "Choose a country"), *countries]


class CountrySelect(forms.Select):
    """A select whose options are written once per process rather than through a template
    per option on every render.

    Django's Select includes `select_option.html` (and `attrs.html`) for each option: with
    ~250 countries in each of the checkout's two address fieldsets, that was most of the
    page's CPU time. The markup is the one Django writes: the attributes it would give the
    `<select>` (id, name, required, aria-invalid, aria-describedby, ...) in the same order,
    one `<option>` per choice with the current value marked `selected`. Flat choices only,
    as a list of countries is.
    """

    def render(self, name, value, attrs=None, renderer=None):
        selected = self.format_value(value)
        attributes = {"name": name, **self.build_attrs(self.attrs, attrs)}
        parts = ["<select"]
        for attribute, attribute_value in attributes.items():
            if attribute_value is True:
                parts.append(f" {attribute}")
            elif attribute_value is not False:
                parts.append(f' {attribute}="{html.escape(str(attribute_value))}"')
        parts.append(">")
        # Labels are made plain strings so that a cached list never outlives a language.
        choices = tuple((str(value), str(label)) for value, label in self.choices)
        parts.extend(
            marked if value in selected else plain for value, plain, marked in _option_tags(choices)
        )
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


@functools.lru_cache(maxsize=16)
def _option_tags(choices):
    """Each choice's value with its `<option>` tag, plain and selected, escaped once."""
    tags = []
    for value, label in choices:
        start, end = f'\n  <option value="{html.escape(value)}"', f">{html.escape(label)}</option>"
        tags.append((value, start + end, f"{start} selected{end}"))
    return tuple(tags)


ADDRESS_FIELDS = ["full_name", "line1", "line2", "city", "postal_code", "country", "phone"]

# What to say when a field of an address is left empty, by whose address it is.
MISSING = {
    "shipping": {
        "full_name": "Enter your full name",
        "line1": "Enter the first line of your address",
        "city": "Enter your town or city",
        "postal_code": "Enter your postal code",
        "country": "Choose your country",
    },
    "billing": {
        "full_name": "Enter the full name for the billing address",
        "line1": "Enter the first line of the billing address",
        "city": "Enter the town or city of the billing address",
        "postal_code": "Enter the postal code of the billing address",
        "country": "Choose the country of the billing address",
    },
}


def address_fields(*, required, whose="shipping"):
    """The fields of one address, in order; `required=False` for the optional billing copy,
    whose fields are required only when it differs from the shipping address."""
    missing = MISSING[whose]

    def text(label, max_length, autocomplete, name=None, **options):
        messages = {"required": missing[name]} if name else {}
        return forms.CharField(
            label=label,
            max_length=max_length,
            error_messages=messages,
            widget=forms.TextInput(attrs={"autocomplete": autocomplete}),
            **options,
        )

    fields = {
        "full_name": text("Full name", 150, "name", "full_name", required=required),
        "line1": text("Address line 1", 200, "address-line1", "line1", required=required),
        "line2": text("Address line 2", 200, "address-line2", required=False),
        "city": text("City", 100, "address-level2", "city", required=required),
        "postal_code": text("Postal code", 20, "postal-code", "postal_code", required=required),
        "country": forms.ChoiceField(
            label="Country",
            choices=country_choices,
            required=required,
            error_messages={"required": missing["country"]},
            widget=CountrySelect(attrs={"autocomplete": "country"}),
        ),
        "phone": forms.CharField(
            label="Phone",
            max_length=30,
            required=False,
            help_text="For the courier, if they need to reach you.",
            widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
        ),
    }
    if not required:
        for name in missing:
            fields[name].conditionally_required = True
    return fields


def shipping_method_choices():
    free_from = money(settings.SHOP_FREE_SHIPPING_THRESHOLD)
    standard = money(shipping_cost(method=Order.ShippingMethod.STANDARD, goods=0))
    express = money(shipping_cost(method=Order.ShippingMethod.EXPRESS, goods=0))
    return [
        (
            Order.ShippingMethod.STANDARD,
            f"Standard: {standard}, free from {free_from} (3–5 days)",
        ),
        (Order.ShippingMethod.EXPRESS, f"Express: {express} (next working day)"),
    ]


class CardInput(forms.TextInput):
    """A card field that is never echoed back into the page after an error."""

    def format_value(self, value):
        return None


CARD_FIELDS = ["card_number", "card_expiry", "card_cvc"]


class CheckoutForm(forms.Form):
    """Everything the checkout page asks for. Billing fields are only required when the
    billing address differs from the shipping address. With a hosted payment page (Stripe)
    there are no card fields: card data never reaches the shop."""

    checkout_token = forms.CharField(widget=forms.HiddenInput)
    email = forms.EmailField(
        label="Email",
        max_length=254,  # Order.email's column; a form EmailField would allow 320
        help_text="For the order confirmation.",
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address like name@example.com",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    billing_same = forms.BooleanField(
        label="Billing address same as shipping",
        required=False,
        initial=True,
        widget=forms.CheckboxInput(attrs={"data-billing-toggle": ""}),
    )
    shipping_method = forms.ChoiceField(
        label="Shipping method",
        choices=shipping_method_choices,
        initial=Order.ShippingMethod.STANDARD,
        error_messages={"required": "Choose a shipping method"},
        widget=forms.RadioSelect,
    )
    card_number = forms.CharField(
        label="Card number",
        max_length=23,
        error_messages={"required": "Enter your card number"},
        widget=CardInput(attrs={"autocomplete": "cc-number", "inputmode": "numeric"}),
    )
    card_expiry = forms.CharField(
        label="Expiry (MM/YY)",
        max_length=7,
        error_messages={"required": "Enter the card's expiry date as MM/YY, e.g. 04/29"},
        widget=forms.TextInput(
            attrs={"autocomplete": "cc-exp", "inputmode": "numeric", "placeholder": "MM/YY"}
        ),
    )
    card_cvc = forms.CharField(
        label="CVC",
        max_length=4,
        error_messages={"required": "Enter the 3-digit code from the back of the card"},
        widget=CardInput(attrs={"autocomplete": "cc-csc", "inputmode": "numeric"}),
    )
    save_address = forms.BooleanField(
        label="Save this address to my address book", required=False, initial=True
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.user = user
        self.fields.update(
            {f"shipping_{name}": field for name, field in address_fields(required=True).items()}
        )
        billing = address_fields(required=False, whose="billing")
        self.fields.update({f"billing_{name}": field for name, field in billing.items()})
        if user.is_authenticated:
            del self.fields["email"]
        else:
            del self.fields["save_address"]
        if hosted_checkout():
            for name in CARD_FIELDS:
                del self.fields[name]
        # The page's order, which the error summary follows.
        self.order_fields(
            [
                "email",
                *(f"shipping_{name}" for name in ADDRESS_FIELDS),
                "billing_same",
                *(f"billing_{name}" for name in ADDRESS_FIELDS),
                "save_address",
                "shipping_method",
            ]
        )

    def _bound(self, prefix):
        return [self[f"{prefix}_{name}"] for name in ADDRESS_FIELDS]

    @property
    def shipping_fields(self):
        return self._bound("shipping")

    @property
    def billing_fields(self):
        return self._bound("billing")

    @property
    def card_fields(self):
        return [self[name] for name in CARD_FIELDS if name in self.fields]

    def clean_checkout_token(self):
        token = self.cleaned_data["checkout_token"]
        if not CHECKOUT_TOKEN_PATTERN.match(token):
            raise forms.ValidationError("This page has expired. Please check and submit again.")
        return token

    def clean_card_number(self):
        number = re.sub(r"[\s-]", "", self.cleaned_data["card_number"])
        if not (12 <= len(number) <= 19 and luhn_is_valid(number)):
            raise forms.ValidationError("Enter a valid card number.")
        return number

    def clean_card_expiry(self):
        match = EXPIRY_PATTERN.match(self.cleaned_data["card_expiry"].strip())
        if not match:
            raise forms.ValidationError("Enter the expiry date as MM/YY, e.g. 04/29.")
        month, year = int(match[1]), 2000 + int(match[2])
        today = timezone.localdate()
        # A card is valid until the end of its expiry month.
        if (year, month) < (today.year, today.month):
            raise forms.ValidationError("This card has expired.")
        return month, year

    def clean_card_cvc(self):
        cvc = self.cleaned_data["card_cvc"].strip()
        if not re.fullmatch(r"[0-9]{3}", cvc):
            raise forms.ValidationError("Enter the 3-digit code from the back of the card.")
        return cvc

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("billing_same"):
            for name, message in MISSING["billing"].items():
                if not cleaned.get(f"billing_{name}") and f"billing_{name}" not in self.errors:
                    self.add_error(f"billing_{name}", message)
        return cleaned

    def address(self, prefix):
        return AddressData(
            **{name: self.cleaned_data[f"{prefix}_{name}"] for name in ADDRESS_FIELDS}
        )

    @property
    def shipping_address(self):
        return self.address("shipping")

    @property
    def billing_address(self):
        return self.address("shipping" if self.cleaned_data["billing_same"] else "billing")

    @property
    def card(self):
        """The card to charge, or None when the customer pays on the provider's page."""
        if "card_number" not in self.fields:
            return None
        month, year = self.cleaned_data["card_expiry"]
        return Card(
            number=self.cleaned_data["card_number"],
            exp_month=month,
            exp_year=year,
            cvc=self.cleaned_data["card_cvc"],
        )

    @property
    def customer_email(self):
        return self.user.email if self.user.is_authenticated else self.cleaned_data["email"]


def initial_from_address(prefix, address):
    return {f"{prefix}_{name}": getattr(address, name) for name in ADDRESS_FIELDS}
