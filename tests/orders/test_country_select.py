"""The checkout's "Country" selects: the same markup as Django's Select, without rendering a
template per option (which made the checkout page slow)."""

import pytest
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.test.html import parse_html

from orders.forms import CheckoutForm, CountrySelect


def rendered_both_ways(form, name):
    """The field as rendered by CountrySelect, and by Django's own Select for comparison."""
    field = form.fields[name]
    assert isinstance(field.widget, CountrySelect)
    ours = str(form[name])
    field.widget = forms.Select(attrs=field.widget.attrs, choices=field.choices)
    django = str(form[name])
    assert parse_html(ours) == parse_html(django)
    return ours


@pytest.mark.parametrize("name", ["shipping_country", "billing_country"])
def test_an_empty_select_is_the_markup_django_writes(name):
    html = rendered_both_ways(CheckoutForm(user=AnonymousUser()), name)

    assert html.count("<option ") == 250  # the placeholder and 249 countries
    assert '<option value="" selected>Choose a country</option>' in html


@pytest.mark.parametrize(
    "given",
    [{"initial": {"shipping_country": "GB"}}, {"data": {"shipping_country": "GB"}}],
    ids=["initial", "submitted"],
)
def test_the_current_country_is_the_selected_option(given):
    html = rendered_both_ways(CheckoutForm(**given, user=AnonymousUser()), "shipping_country")

    assert '<option value="GB" selected>United Kingdom</option>' in html
    assert '<option value="">Choose a country</option>' in html
    assert html.count(" selected") == 1


@pytest.mark.parametrize("value", ["", "ZZ"])
def test_a_field_with_errors_keeps_its_aria_attributes(value):
    form = CheckoutForm({"shipping_country": value}, user=AnonymousUser())
    assert not form.is_valid()

    html = rendered_both_ways(form, "shipping_country")

    assert 'name="shipping_country" autocomplete="country" required' in html
    assert 'aria-invalid="true" aria-describedby="id_shipping_country_error"' in html
    assert 'id="id_shipping_country"' in html


def test_option_text_is_escaped():
    widget = CountrySelect(choices=[("", "Choose"), ("CI", "Côte d'Ivoire"), ("XX", "<b>")])

    html = widget.render("country", "CI", attrs={"id": "id_country"})

    assert '<option value="CI" selected>Côte d&#x27;Ivoire</option>' in html
    assert '<option value="XX">&lt;b&gt;</option>' in html


@pytest.mark.django_db
def test_the_checkout_page_renders_no_template_per_country(client, add, variant):
    add(variant, 1)

    response = client.get("/checkout/")

    html = response.content.decode()
    assert html.count('<option value="DE">Germany</option>') == 2
    rendered = [template.name for template in response.templates]
    assert "django/forms/widgets/select_option.html" not in rendered
