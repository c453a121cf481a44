from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operations: Prometheus metrics, the migration lock and the backup restore drill."""

    name = "ops"
    verbose_name = "Operations"
