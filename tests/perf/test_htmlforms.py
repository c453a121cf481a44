"""The load scripts' form filler submits what a browser would for the same clicks."""

import pytest

from tests.perf.htmlforms import form_with_button, forms_in

CHECKOUT_LIKE = """
<form class="search-form" action="/products/" method="get">
  <label for="q">Search</label><input id="q" name="q"><button type="submit">Search</button>
</form>
<form action="/checkout/" method="post">
  <input type="hidden" name="csrfmiddlewaretoken" value="csrf-1">
  <input type="hidden" name="token" value="tok-9">
  <label for="email">Email</label><input id="email" type="email" name="email">
  <fieldset><legend>Shipping address</legend>
    <label for="s-name">Full name</label><input id="s-name" name="shipping-full_name">
    <label for="s-country">Country</label>
    <select id="s-country" name="shipping-country">
      <option value="">Choose</option><option value="DE">Germany</option>
      <option value="GB" selected>United Kingdom</option>
    </select>
  </fieldset>
  <label><input type="checkbox" name="same" checked> Billing address same as shipping</label>
  <fieldset><legend>Billing address</legend>
    <label for="b-name">Full name</label><input id="b-name" name="billing-full_name" value="x">
  </fieldset>
  <fieldset><legend>Shipping method</legend>
    <label><input type="radio" name="method" value="standard"> Standard</label>
    <label><input type="radio" name="method" value="express"> Express</label>
  </fieldset>
  <label for="notes">Notes</label><textarea id="notes" name="notes">hello</textarea>
  <button type="submit" name="action" value="pay">Place <b>order</b></button>
</form>
"""


def test_filling_by_label_submits_what_a_browser_would():
    form = form_with_button(CHECKOUT_LIKE, "Place order")
    data = form.data(
        "Place order",
        {"Email": "a@example.com", ("Shipping address", "Full name"): "Ada", "Country": "Germany"},
    )
    assert form.action == "/checkout/" and form.method == "post"
    assert data == {
        "csrfmiddlewaretoken": ["csrf-1"],
        "token": ["tok-9"],
        "email": ["a@example.com"],
        "shipping-full_name": ["Ada"],
        "shipping-country": ["DE"],
        "same": ["on"],
        "billing-full_name": ["x"],
        "method": ["standard"],  # nothing checked: the first choice, as a person would pick
        "notes": ["hello"],
        "action": ["pay"],
    }


def test_untouched_select_submits_its_selected_option():
    data = form_with_button(CHECKOUT_LIKE, "Place order").data("Place order")
    assert data["shipping-country"] == ["GB"]


def test_a_repeated_label_must_be_scoped_by_its_fieldset():
    form = form_with_button(CHECKOUT_LIKE, "Place order")
    with pytest.raises(LookupError, match="2 fields match 'Full name'"):
        form.data("Place order", {"Full name": "Ada"})


def test_unknown_labels_and_buttons_are_errors_not_silent_omissions():
    form = form_with_button(CHECKOUT_LIKE, "Place order")
    with pytest.raises(LookupError):
        form.data("Place order", {"Phone": "123"})
    with pytest.raises(LookupError):
        form.data("Pay now")
    with pytest.raises(LookupError):
        form_with_button(CHECKOUT_LIKE, "Add to cart")


def test_forms_are_told_apart_by_their_buttons():
    search = form_with_button(CHECKOUT_LIKE, "Search")
    assert search.method == "get"
    assert search.data("Search", {"Search": "mug"}) == {"q": ["mug"]}
    assert len(forms_in(CHECKOUT_LIKE)) == 2
