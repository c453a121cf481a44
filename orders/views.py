from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from orders.models import Order


def cart_detail(request):
    return render(request, "orders/cart.html", {})


@login_required
def order_list(request):
    orders = Order.objects.filter(customer=request.user)
    return render(request, "orders/order_list.html", {"orders": orders})


@login_required
def order_detail(request, number):
    order = get_object_or_404(Order, number=number, customer=request.user)
    return render(request, "orders/order_detail.html", {"order": order})


def cart_add(request):
    return render(request, "orders/cart.html", {})


def cart_update(request, variant_id):
    return render(request, "orders/cart.html", {})


def cart_remove(request, variant_id):
    return render(request, "orders/cart.html", {})


def checkout(request):
    return render(request, "orders/cart.html", {})
