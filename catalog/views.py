from django.shortcuts import get_object_or_404, render

from catalog.models import Category, Product


def home(request):
    categories = Category.objects.filter(parent=None)
    return render(request, "catalog/home.html", {"categories": categories})


def product_list(request):
    products = Product.objects.filter(is_active=True)[:24]
    return render(request, "catalog/product_list.html", {"products": products})


def category_detail(request, slug):
    category = get_object_or_404(Category, slug=slug)
    return render(request, "catalog/product_list.html", {"category": category})


def product_detail(request, slug):
    product = get_object_or_404(Product, slug=slug, is_active=True)
    return render(request, "catalog/product_detail.html", {"product": product})
