"""Content pages staff write (shipping and returns, privacy, terms, contact, about...)."""

from django.db import models
from django.urls import reverse


class Page(models.Model):
    slug = models.SlugField(
        max_length=80, unique=True, help_text="The page's address: /pages/<slug>/"
    )
    title = models.CharField(max_length=120)
    summary = models.CharField(
        max_length=300,
        blank=True,
        help_text="One or two sentences for search engines (the meta description).",
    )
    body = models.TextField(
        help_text=(
            "Markdown: blank lines between paragraphs, ## for a heading, - for a list, "
            "[text](https://…) for a link. HTML is removed except for simple formatting."
        )
    )
    in_footer = models.BooleanField("Link in the footer", default=True)
    position = models.PositiveIntegerField(default=0, help_text="Order of the footer links.")
    is_published = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("pages:page", args=[self.slug])
