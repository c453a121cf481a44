"""Validation of the catalog's query parameters: anything invalid falls back to its default
(with the error shown next to the filter), so a bad link never breaks a page."""

from django import forms

from catalog.selectors import FACET_OPTIONS, SORTS, ProductFilters

MAX_QUERY_LENGTH = 200
MAX_FACET_VALUES = 20
MAX_FACET_VALUE_LENGTH = 100


class FacetValuesField(forms.Field):
    """The values of a repeated parameter (`?brand=A&brand=B`): deduplicated and sorted, so
    the same choice is one cache entry; oversized or surplus values are dropped."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        values = {
            str(item).strip()
            for item in value or []
            if str(item).strip()
            and len(str(item)) <= MAX_FACET_VALUE_LENGTH
            and "\x00" not in str(item)  # PostgreSQL refuses NUL in text
        }
        return tuple(sorted(values)[:MAX_FACET_VALUES])


class ProductFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search")
    category = forms.CharField(required=False, label="Category")
    sort = forms.ChoiceField(required=False, label="Sort by", choices=list(SORTS.items()))
    min_price = forms.DecimalField(
        required=False, label="Min price", min_value=0, max_digits=12, decimal_places=2
    )
    max_price = forms.DecimalField(
        required=False, label="Max price", min_value=0, max_digits=12, decimal_places=2
    )
    in_stock = forms.TypedChoiceField(
        required=False,
        label="In stock only",
        choices=[("", "Any"), ("0", "Any"), ("1", "In stock only")],
        coerce=lambda value: value == "1",
        empty_value=False,
    )
    page = forms.IntegerField(required=False, min_value=1)
    brand = FacetValuesField(required=False, label="Brand")

    def __init__(self, data, *, tree, category=None):
        """`category` is the page's own category (on /categories/<slug>/), which the
        `category` parameter cannot override."""
        super().__init__(data)
        self.tree = tree
        self.page_category = category
        for parameter, option in FACET_OPTIONS.items():
            self.fields[parameter] = FacetValuesField(required=False, label=option)

    def clean_q(self):
        # A pasted essay is searched by its start rather than refused.
        return " ".join(self.cleaned_data["q"].split())[:MAX_QUERY_LENGTH]

    def clean_category(self):
        slug = self.cleaned_data["category"].strip()
        if self.page_category is not None or not slug:
            return self.page_category
        category = self.tree.by_slug.get(slug)
        if category is None:
            raise forms.ValidationError("There is no such category.")
        return category

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("min_price"), cleaned.get("max_price")
        if low is not None and high is not None and low > high:
            self.add_error("max_price", "The max price must not be below the min price.")
        return cleaned

    def filters(self):
        """The valid parameters; an invalid one is left at its default."""
        self.is_valid()
        data = self.cleaned_data
        return ProductFilters(
            q=data.get("q") or "",
            category=data.get("category") or self.page_category,
            sort=data.get("sort") or "relevance",
            min_price=data.get("min_price"),
            max_price=data.get("max_price"),
            in_stock=bool(data.get("in_stock")),
            brands=data.get("brand") or (),
            options=tuple(
                (option, data[parameter])
                for parameter, option in sorted(FACET_OPTIONS.items(), key=lambda item: item[1])
                if data.get(parameter)
            ),
        )

    def page_number(self):
        self.is_valid()
        return self.cleaned_data.get("page") or 1
