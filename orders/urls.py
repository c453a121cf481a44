from django.urls import path

from orders import views

app_name = "orders"

urlpatterns = [
    path("cart/", views.cart_detail, name="cart"),
    path("cart/add/", views.cart_add, name="cart_add"),
    path("cart/update/<int:variant_id>/", views.cart_update, name="cart_update"),
    path("cart/remove/<int:variant_id>/", views.cart_remove, name="cart_remove"),
    path("checkout/", views.checkout, name="checkout"),
    path("checkout/<str:number>/return/", views.payment_return, name="payment_return"),
    path("checkout/<str:number>/cancel/", views.payment_cancelled, name="payment_cancelled"),
    path("payments/stripe/webhook/", views.stripe_webhook, name="stripe_webhook"),
    path("orders/", views.order_list, name="list"),
    path("orders/<str:number>/", views.order_detail, name="detail"),
    path("orders/<str:number>/new-link/", views.order_new_link, name="new_link"),
    path("orders/<str:number>/invoice/", views.order_invoice, name="invoice"),
    path(
        "orders/<str:number>/credit-notes/<str:credit_note>/",
        views.order_credit_note,
        name="credit_note",
    ),
]
