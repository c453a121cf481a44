from django.apps import AppConfig


class MarketingConfig(AppConfig):
    name = "marketing"
    verbose_name = "Marketing emails"

    def ready(self):
        from accounts import personal_data
        from marketing.emails import build_back_in_stock_alert, build_cart_reminder
        from marketing.models import BackInStockAlert, CartReminder
        from marketing.personal_data import erase_marketing_emails, export_marketing_emails
        from outbox.services import register

        register(CartReminder, build_message=build_cart_reminder, select_related=["guest_checkout"])
        register(
            BackInStockAlert, build_message=build_back_in_stock_alert, select_related=["variant"]
        )
        personal_data.register(
            "marketing_emails", export=export_marketing_emails, erase=erase_marketing_emails
        )
