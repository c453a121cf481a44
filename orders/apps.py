from django.apps import AppConfig


def merge_cart_on_login(sender, request, user, **kwargs):
    """Log in (or sign up, which logs in) keeps what the visitor put in the cart meanwhile.

    django.contrib.auth's login() cycles the session key but keeps its data, so the anonymous
    session cart is still there when this runs."""
    from django.contrib import messages

    from orders.services import merge_session_cart

    if request is None or not hasattr(request, "session"):
        return
    for note in merge_session_cart(user=user, session=request.session):
        messages.warning(request, note, fail_silently=True)


class OrdersConfig(AppConfig):
    name = "orders"
    # The admin section; "Orders" is the model list inside it.
    verbose_name = "Sales"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from accounts import personal_data
        from orders.emails import build_order_email
        from orders.models import OrderEmail
        from orders.personal_data import detach_orders, export_orders
        from outbox.services import register

        register(OrderEmail, build_message=build_order_email, select_related=["order"])
        personal_data.register("orders", export=export_orders, erase=detach_orders)

        user_logged_in.connect(merge_cart_on_login, dispatch_uid="orders.merge_cart_on_login")
