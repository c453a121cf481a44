"""Content pages staff write: shown with sanitised Markdown, linked from every page's footer,
refreshed everywhere when staff change them."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from pages.models import Page
from tests.factories import PageFactory, UserFactory
from tests.two_factor import log_in_with_second_factor

pytestmark = pytest.mark.django_db

CONTRACT_PAGES = ["shipping-returns", "privacy", "terms", "contact"]


@pytest.mark.parametrize("slug", CONTRACT_PAGES)
def test_every_shop_has_its_default_pages_linked_from_the_footer(client, slug):
    # (the data migration created them; staff rewrite them in the admin)
    page = Page.objects.get(slug=slug)

    response = client.get(f"/pages/{slug}/")
    home = client.get("/").text

    assert response.status_code == 200
    assert f"<h1>{escape(page.title)}</h1>" in response.text
    footer = home[home.index("<footer") :]
    assert f'<a href="/pages/{slug}/">' in footer


def test_markdown_is_rendered_and_anything_unsafe_removed(client):
    PageFactory(
        slug="our-story",
        title="Our story",
        body=(
            "## Our story\n\nWe **care**. [Write to us](mailto:hi@example.com)\n\n"
            '<script>alert("x")</script><img src=x onerror="alert(1)">'
            "[click](javascript:alert(1))"
        ),
    )

    html = client.get("/pages/our-story/").text

    assert "<h2>Our story</h2>" in html
    assert "<strong>care</strong>" in html
    assert '<a href="mailto:hi@example.com" rel="noopener noreferrer">Write to us</a>' in html
    assert "<script>alert" not in html
    assert "onerror" not in html
    assert "javascript:" not in html


def test_unpublished_and_unknown_pages_are_404(client):
    PageFactory(slug="draft", title="Draft", is_published=False)
    assert client.get("/pages/draft/").status_code == 404
    assert client.get("/pages/no-such-page/").status_code == 404


def test_a_page_staff_add_in_the_admin_appears_in_every_footer(
    client, django_capture_on_commit_callbacks
):
    # given a page in the footer, cached by a first visit
    assert "Gift cards" not in client.get("/products/").text
    staff = UserFactory(email="editor@example.com", is_staff=True, is_superuser=True)
    log_in_with_second_factor(client, staff)

    # when staff add a page in the admin
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:pages_page_add"),
            {
                "title": "Gift cards",
                "slug": "gift-cards",
                "summary": "",
                "body": "Give the choice.",
                "in_footer": "on",
                "position": "9",
                "is_published": "on",
            },
        )
    assert response.status_code == 302
    client.logout()

    # then every page's footer links it, the cached catalog pages too
    assert '<a href="/pages/gift-cards/">Gift cards</a>' in client.get("/products/").text


def test_a_page_taken_out_of_the_footer_leaves_it(client, django_capture_on_commit_callbacks):
    from pages.services import save_page

    page = Page.objects.get(slug="privacy")
    assert 'href="/pages/privacy/"' in client.get("/").text

    page.in_footer = False
    with django_capture_on_commit_callbacks(execute=True):
        save_page(page=page)

    assert 'href="/pages/privacy/"' not in client.get("/").text
