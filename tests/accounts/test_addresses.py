"""The address book: add, edit, delete, defaults, and nobody else's addresses."""

import pytest

from accounts import selectors
from accounts.models import Address
from tests.accounts.helpers import assert_page
from tests.factories import AddressFactory, UserFactory

pytestmark = pytest.mark.django_db


def address_data(**changes):
    return {
        "full_name": "Ada Lovelace",
        "line1": "12 St James's Square",
        "line2": "",
        "city": "London",
        "postal_code": "SW1Y 4JH",
        "country": "GB",
        "phone": "+44 20 7946 0000",
        **changes,
    }


def test_address_pages_need_a_login(client):
    response = client.get("/accounts/addresses/")
    assert response["Location"] == "/accounts/login/?next=/accounts/addresses/"


def test_address_form_has_the_contract_labels_and_a_country_select(signed_in_client):
    response = signed_in_client.get("/accounts/addresses/add/")
    assert_page(response, "Add an address")
    html = response.content.decode()
    optional = ' <span class="optional" aria-hidden="true">(optional)</span>'
    for field, label in [
        ("full_name", "Full name"),
        ("line1", "Address line 1"),
        ("line2", "Address line 2" + optional),
        ("city", "City"),
        ("postal_code", "Postal code"),
        ("country", "Country"),
        ("phone", "Phone" + optional),
    ]:
        assert f'<label for="id_{field}">{label}</label>' in html
    assert '<select name="country"' in html
    assert '<option value="DE">Germany</option>' in html


def test_adding_addresses_and_choosing_defaults(signed_in_client, user):
    # given: a first address that is the default for both
    response = signed_in_client.post(
        "/accounts/addresses/add/",
        address_data(is_default_shipping="on", is_default_billing="on"),
    )
    assert response["Location"] == "/accounts/addresses/"
    first = Address.objects.get(user=user)
    assert first.is_default_shipping and first.is_default_billing

    # when: a second one becomes the default shipping address
    signed_in_client.post(
        "/accounts/addresses/add/",
        address_data(line1="1 Analytical Street", is_default_shipping="on"),
    )

    # then: it replaced the first as shipping default; billing stays
    second = Address.objects.get(user=user, line1="1 Analytical Street")
    first.refresh_from_db()
    assert second.is_default_shipping and not second.is_default_billing
    assert not first.is_default_shipping and first.is_default_billing
    assert selectors.default_address(user=user, kind="shipping") == second
    assert selectors.default_address(user=user, kind="billing") == first

    # and: the billing default moves with one button
    response = signed_in_client.post(f"/accounts/addresses/{second.pk}/default-billing/")
    assert response["Location"] == "/accounts/addresses/"
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.is_default_billing and not first.is_default_billing

    page = signed_in_client.get("/accounts/addresses/")
    assert_page(page, "Address book")
    assert "1 Analytical Street" in page.content.decode()


def test_setting_a_default_is_post_only(signed_in_client, user):
    address = AddressFactory(user=user)
    response = signed_in_client.get(f"/accounts/addresses/{address.pk}/default-shipping/")
    assert response.status_code == 405


def test_address_form_shows_clear_errors(signed_in_client, user):
    response = signed_in_client.post(
        "/accounts/addresses/add/", address_data(full_name="", city="", country="XX")
    )
    assert response.status_code == 200
    html = response.content.decode()
    # one summary at the top, each error a link to its field, and the error by the field
    assert '<h2 id="error-summary-title">There is a problem</h2>' in html
    assert '<a href="#id_full_name">Enter the full name</a>' in html
    assert '<a href="#id_city">Enter the town or city</a>' in html
    assert html.count("Enter the town or city") == 2
    assert "This field is required." not in html
    assert "Select a valid choice. XX is not one of the available choices." in html
    assert not Address.objects.exists()


def test_editing_an_address(signed_in_client, user):
    address = AddressFactory(user=user, city="Berlin")
    assert_page(signed_in_client.get(f"/accounts/addresses/{address.pk}/edit/"), "Edit address")
    response = signed_in_client.post(
        f"/accounts/addresses/{address.pk}/edit/", address_data(city="Hamburg")
    )
    assert response.status_code == 302
    address.refresh_from_db()
    assert address.city == "Hamburg"
    assert address.user == user


def test_editing_an_address_into_the_default_replaces_the_old_default(signed_in_client, user):
    old = AddressFactory(user=user, is_default_shipping=True, is_default_billing=True)
    address = AddressFactory(user=user)
    response = signed_in_client.post(
        f"/accounts/addresses/{address.pk}/edit/",
        address_data(is_default_shipping="on", is_default_billing="on"),
    )
    assert response.status_code == 302
    old.refresh_from_db()
    address.refresh_from_db()
    assert address.is_default_shipping and address.is_default_billing
    assert not old.is_default_shipping and not old.is_default_billing


def test_deleting_an_address_asks_first(signed_in_client, user):
    address = AddressFactory(user=user)
    page = signed_in_client.get(f"/accounts/addresses/{address.pk}/delete/")
    assert_page(page, "Delete address")
    assert Address.objects.filter(pk=address.pk).exists()
    response = signed_in_client.post(f"/accounts/addresses/{address.pk}/delete/")
    assert response["Location"] == "/accounts/addresses/"
    assert not Address.objects.filter(pk=address.pk).exists()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/accounts/addresses/{pk}/edit/"),
        ("post", "/accounts/addresses/{pk}/edit/"),
        ("get", "/accounts/addresses/{pk}/delete/"),
        ("post", "/accounts/addresses/{pk}/delete/"),
        ("post", "/accounts/addresses/{pk}/default-shipping/"),
        ("post", "/accounts/addresses/{pk}/default-billing/"),
    ],
)
def test_another_users_address_is_a_404(signed_in_client, method, path):
    theirs = AddressFactory(user=UserFactory(), city="Paris")
    response = getattr(signed_in_client, method)(
        path.format(pk=theirs.pk), address_data(city="Stolen")
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.city == "Paris"
    assert not theirs.is_default_shipping and not theirs.is_default_billing


def test_the_address_book_lists_only_ones_own_addresses(signed_in_client, user):
    AddressFactory(user=user, city="Cambridge")
    AddressFactory(user=UserFactory(), city="Oxford")
    html = signed_in_client.get("/accounts/addresses/").content.decode()
    assert "Cambridge" in html
    assert "Oxford" not in html
