"""The product CSV format shared by `import_products` and `export_products`.

One row per variant; the product columns repeat on each row of the same product (or are left
blank after its first row). Columns:

  sku               the variant's SKU (unique; the key the import upserts by)           required
  product_slug      the product's URL slug; rows with the same slug are one product    required
  product_name      the product's name                                                  required
  brand             the product's brand
  categories        category paths, "Clothing > Shirts"; several separated by " | "
  options           option values, "Size=M; Colour=Red" (empty for a single variant)
  price             e.g. 19.90 (in the shop currency)                                   required
  compare_at_price  the former price, shown struck through when higher than the price
  stock             units in stock, a whole number of 0 or more                         required
  active            the variant is for sale: yes/no (default yes)
  product_active    the product is shown: yes/no (default yes)
  description       the product's description (may span lines, CSV-quoted)
  images            image files separated by " | ": a file in the media storage (as
                    exported) or a path on disk, absolute or relative to the CSV file
  tax_class         the product's VAT class: standard, reduced or zero (blank or no column:
                    standard for a new product, unchanged for an existing one)

Categories missing from the shop are created. Images are added to a product that does not
have them yet; the import never deletes images, variants or categories.
"""

COLUMNS = [
    "sku",
    "product_slug",
    "product_name",
    "brand",
    "categories",
    "options",
    "price",
    "compare_at_price",
    "stock",
    "active",
    "product_active",
    "description",
    "images",
    "tax_class",
]
REQUIRED_COLUMNS = ["sku", "product_slug", "product_name", "price", "stock"]
# Columns that describe the product rather than the variant: every row of a product must
# agree on them (or leave them blank).
PRODUCT_COLUMNS = [
    "product_name",
    "brand",
    "categories",
    "product_active",
    "description",
    "images",
    "tax_class",
]

LIST_SEPARATOR = " | "
PATH_SEPARATOR = " > "

_TRUE = {"yes", "y", "true", "1"}
_FALSE = {"no", "n", "false", "0"}


def format_bool(value: bool) -> str:
    return "yes" if value else "no"


def parse_bool(text: str) -> bool:
    """yes/no, true/false or 1/0; blank means yes. Raises ValueError otherwise."""
    text = text.strip().lower()
    if not text or text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"{text!r} is not yes or no")


def format_options(options: dict) -> str:
    return "; ".join(f"{name}={value}" for name, value in options.items())


def parse_options(text: str) -> dict:
    """ "Size=M; Colour=Red" -> {"Size": "M", "Colour": "Red"}. Raises ValueError."""
    options = {}
    for part in filter(None, (part.strip() for part in text.split(";"))):
        name, equals, value = (piece.strip() for piece in part.partition("="))
        if not equals or not name or not value:
            raise ValueError(f"{part!r} is not of the form Name=Value")
        if name in options:
            raise ValueError(f"the option {name!r} is given twice")
        options[name] = value
    return options


def split_list(text: str) -> list[str]:
    return [item.strip() for item in text.split(LIST_SEPARATOR.strip()) if item.strip()]


def split_path(text: str) -> list[str]:
    return [name.strip() for name in text.split(PATH_SEPARATOR.strip())]
