"""The "Email me when available" form of an out-of-stock product page."""

from django import forms

from catalog.models import Variant


class BackInStockForm(forms.Form):
    variant = forms.ModelChoiceField(
        queryset=Variant.objects.filter(is_active=True, product__is_active=True).select_related(
            "product"
        ),
        error_messages={"invalid_choice": "Sorry, this product is no longer available."},
    )
    email = forms.EmailField(
        label="Email",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if user.is_authenticated:
            del self.fields["email"]

    def clean_email(self):
        return self.cleaned_data["email"].lower()

    @property
    def recipient(self):
        return self.user.email if self.user.is_authenticated else self.cleaned_data["email"]
