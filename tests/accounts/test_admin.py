"""The staff admin for users (email, no username) and addresses."""

import pytest
from django.contrib.auth.models import Group, Permission

from accounts.models import Address, User
from orders.models import Order
from tests.factories import AddressFactory, OrderFactory, UserFactory
from tests.two_factor import log_in_with_second_factor

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "copper-lighthouse-72-fern"


@pytest.fixture
def staff_client(client):
    boss = User.objects.create_superuser(email="boss@example.com", password="x")
    log_in_with_second_factor(client, boss, password="x")
    return client


def test_user_list_searches_by_email_and_name_and_filters_by_group(staff_client):
    packers = Group.objects.create(name="Packers")
    UserFactory(email="grace@example.com", full_name="Grace Hopper").groups.add(packers)
    UserFactory(email="alan@example.com", full_name="Alan Turing")

    html = staff_client.get("/admin/accounts/user/?q=hopper").content.decode()
    assert "grace@example.com" in html
    assert "alan@example.com" not in html

    html = staff_client.get(f"/admin/accounts/user/?groups__id__exact={packers.pk}").content
    assert b"grace@example.com" in html
    assert b"alan@example.com" not in html


def test_add_user_form_has_email_and_password_fields_and_no_username(staff_client):
    html = staff_client.get("/admin/accounts/user/add/").content.decode()
    assert 'name="email"' in html
    assert 'name="password1"' in html
    assert 'name="password2"' in html
    assert 'name="username"' not in html

    response = staff_client.post(
        "/admin/accounts/user/add/",
        {
            "email": "New.Staff@Example.com",
            "usable_password": "true",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert User.objects.get(email="new.staff@example.com").check_password(NEW_PASSWORD)


def test_user_change_form_offers_the_staff_groups_made_by_the_apps(staff_client):
    user = UserFactory()
    html = staff_client.get(f"/admin/accounts/user/{user.pk}/change/").content.decode()
    assert "Order managers" in html
    assert "Catalog managers" in html
    assert 'name="full_name"' in html


def test_deleting_a_user_in_the_admin_keeps_their_orders(staff_client):
    user = UserFactory()
    AddressFactory(user=user)
    order = OrderFactory(customer=user)
    response = staff_client.post(f"/admin/accounts/user/{user.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=user.pk).exists()
    assert not Address.objects.exists()
    assert Order.objects.get(pk=order.pk).customer is None


def test_the_admin_action_moves_the_default_address(staff_client):
    user = UserFactory()
    old = AddressFactory(user=user, is_default_shipping=True)
    new = AddressFactory(user=user)
    response = staff_client.post(
        "/admin/accounts/address/",
        {"action": "make_default_shipping", "_selected_action": [new.pk]},
    )
    assert response.status_code == 302
    old.refresh_from_db()
    new.refresh_from_db()
    assert new.is_default_shipping and not old.is_default_shipping


def test_address_admin_edits_the_address_but_not_the_default_flags(staff_client):
    address = AddressFactory(is_default_shipping=True)
    html = staff_client.get(f"/admin/accounts/address/{address.pk}/change/").content.decode()
    assert 'name="city"' in html
    assert 'name="is_default_shipping"' not in html


def test_staff_who_may_only_view_addresses_cannot_move_the_default(client):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_address"))
    log_in_with_second_factor(client, viewer)
    user = UserFactory()
    old = AddressFactory(user=user, is_default_shipping=True)
    new = AddressFactory(user=user)

    page = client.get("/admin/accounts/address/")
    client.post(
        "/admin/accounts/address/",
        {"action": "make_default_shipping", "_selected_action": [new.pk]},
    )

    assert page.status_code == 200
    assert "make_default_shipping" not in page.text
    old.refresh_from_db()
    assert old.is_default_shipping
