"""Forms for signing up, logging in, resetting passwords, the profile and the address book."""

from django import forms
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.views.decorators.debug import sensitive_variables

from accounts.client_ip import client_ip
from accounts.models import Address, User
from accounts.throttling import login_wait_seconds


def require(form, messages):
    """Say what to enter when a field is left empty ("Enter your email address"), instead of
    Django's "This field is required."."""
    for name, message in messages.items():
        form.fields[name].error_messages["required"] = message


DUPLICATE_EMAIL_MESSAGE = (
    "An account with this email already exists. Log in or reset your password."
)


class SignupForm(auth_forms.BaseUserCreationForm):
    """Email and a password checked by the configured password validators."""

    password1, password2 = auth_forms.SetPasswordMixin.create_password_fields(
        label1="Password", label2="Confirm password"
    )

    class Meta:
        model = User
        fields = ("email",)
        labels = {"email": "Email"}
        widgets = {"email": forms.EmailInput(attrs={"autocomplete": "email"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password2"].help_text = "Enter the same password again."
        require(self, {"email": "Enter your email address", "password1": "Enter a password"})
        require(self, {"password2": "Enter the password again to confirm it"})

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(DUPLICATE_EMAIL_MESSAGE, code="duplicate_email")
        return email


class LoginForm(auth_forms.AuthenticationForm):
    """Django's login form with the email as the username, behind the per-account slow-down.

    The field keeps the name `username` because django-axes reads that parameter; the email is
    lower-cased so that changing its case cannot dodge the lockouts. While the account is slowed
    down for this address (accounts/throttling.py) the password is not checked at all, so the
    attempt counts for nothing; `wait_seconds` then says for how long.
    """

    error_messages = {
        **auth_forms.AuthenticationForm.error_messages,
        "invalid_login": "The email or password is not right. Please try again.",
        "slowed_down": (
            "There were many failed attempts to log in to this account. Please wait "
            "%(seconds)s seconds and try again."
        ),
    }
    wait_seconds = 0

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        username = self.fields["username"]
        username.label = "Email"
        username.widget.input_type = "email"
        username.widget.attrs["autocomplete"] = "email"
        # AuthenticationForm sets max_length only on the widget; without the check, a longer
        # username reached django-axes, whose 255-character column refused it.
        username.validators.append(MaxLengthValidator(username.max_length))
        require(self, {"username": "Enter your email address", "password": "Enter your password"})

    def clean_username(self):
        return self.cleaned_data["username"].strip().lower()

    def clean(self):
        username = self.cleaned_data.get("username")
        if username and self.request is not None:
            self.wait_seconds = login_wait_seconds(
                username=username, ip_address=client_ip(self.request)
            )
            if self.wait_seconds:
                raise ValidationError(
                    self.error_messages["slowed_down"],
                    code="slowed_down",
                    params={"seconds": self.wait_seconds},
                )
        return super().clean()


class PasswordResetRequestForm(forms.Form):
    email = forms.EmailField(
        label="Email",
        max_length=254,
        error_messages={"required": "Enter your email address"},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class SetPasswordForm(auth_forms.SetPasswordForm):
    new_password1, new_password2 = auth_forms.SetPasswordMixin.create_password_fields(
        label1="New password", label2="Confirm new password"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        require(self, {"new_password1": "Enter a new password"})
        require(self, {"new_password2": "Enter the new password again to confirm it"})


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    new_password1, new_password2 = auth_forms.SetPasswordMixin.create_password_fields(
        label1="New password", label2="Confirm new password"
    )
    error_messages = {
        **auth_forms.PasswordChangeForm.error_messages,
        "password_incorrect": "Your current password is not right. Please enter it again.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "Current password"
        require(self, {"old_password": "Enter your current password"})
        require(self, {"new_password1": "Enter a new password"})
        require(self, {"new_password2": "Enter the new password again to confirm it"})


class CurrentPasswordField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(
            label="Current password",
            strip=False,
            widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
            **kwargs,
        )


class ProfileForm(forms.ModelForm):
    """Name and email; changing the email asks for the current password."""

    current_password = CurrentPasswordField(
        required=False, help_text="Needed only when you change your email."
    )
    current_password.conditionally_required = True

    class Meta:
        model = User
        fields = ("full_name", "email")
        labels = {"full_name": "Full name", "email": "Email"}
        widgets = {
            "full_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        require(self, {"email": "Enter your email address"})

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        others = User.objects.exclude(pk=self.instance.pk)
        if others.filter(email__iexact=email).exists():
            raise ValidationError(
                "Another account already uses this email.", code="duplicate_email"
            )
        return email

    @sensitive_variables("password")
    def clean(self):
        cleaned_data = super().clean()
        email = cleaned_data.get("email")
        if email and email != self.instance.email:
            password = cleaned_data.get("current_password")
            if not password:
                self.add_error(
                    "current_password", "Enter your current password to change your email."
                )
            elif not self.instance.check_password(password):
                self.add_error("current_password", "Your current password is not right.")
        return cleaned_data


class AddressForm(forms.ModelForm):
    class Meta:
        model = Address
        fields = (
            "full_name",
            "line1",
            "line2",
            "city",
            "postal_code",
            "country",
            "phone",
            "is_default_shipping",
            "is_default_billing",
        )
        labels = {
            "full_name": "Full name",
            "line1": "Address line 1",
            "line2": "Address line 2",
            "city": "City",
            "postal_code": "Postal code",
            "country": "Country",
            "phone": "Phone",
            "is_default_shipping": "Use as my default shipping address",
            "is_default_billing": "Use as my default billing address",
        }
        widgets = {
            "full_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "line1": forms.TextInput(attrs={"autocomplete": "address-line1"}),
            "line2": forms.TextInput(attrs={"autocomplete": "address-line2"}),
            "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
            "postal_code": forms.TextInput(attrs={"autocomplete": "postal-code"}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        }
        error_messages = {
            "full_name": {"required": "Enter the full name"},
            "line1": {"required": "Enter the first line of the address"},
            "city": {"required": "Enter the town or city"},
            "postal_code": {"required": "Enter the postal code"},
            "country": {"required": "Choose the country"},
        }


class ConfirmPasswordForm(forms.Form):
    """The current password, asked again before deleting the account or turning off two-factor
    authentication."""

    password = CurrentPasswordField()

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        require(self, {"password": "Enter your password to confirm"})

    @sensitive_variables("password")
    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError("Your password is not right.", code="password_incorrect")
        return password


class SecondFactorCodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=32,
        help_text="The 6 digits your authenticator app shows, or one of your recovery codes.",
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "none",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
    )
