"""The cart's discount code form."""

from django import forms


class DiscountCodeForm(forms.Form):
    code = forms.CharField(
        label="Discount code",
        max_length=100,
        error_messages={
            "required": "Enter a discount code.",
            "max_length": "That discount code is not valid.",
        },
    )
