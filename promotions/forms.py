"""The cart's discount code form."""

from django import forms

from promotions.selectors import NOT_VALID


class DiscountCodeForm(forms.Form):
    code = forms.CharField(
        label="Discount code",
        max_length=100,
        error_messages={
            "required": "Enter a discount code.",
            "max_length": NOT_VALID,
            "null_characters_not_allowed": NOT_VALID,
        },
    )
