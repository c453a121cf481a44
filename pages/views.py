"""A content page."""

from django.http import Http404
from django.shortcuts import render

from catalog.page_cache import cache_page_for_anonymous_visitors
from pages.markdown import render_markdown
from pages.selectors import page_for_slug


@cache_page_for_anonymous_visitors
def page_detail(request, slug):
    page = page_for_slug(slug)
    if page is None:
        raise Http404("No such page")
    return render(request, "pages/page.html", {"page": page, "body": render_markdown(page.body)})
