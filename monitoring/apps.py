from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = _("监控接入")

    def ready(self) -> None:
        from core.panels import panel_register

        from .panels import change_silenced_alerts

        panel_register("change_detail", change_silenced_alerts)
