from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChangesConfig(AppConfig):
    """Change requests (clause 8.1.3). Sits above `tickets`: it reads tickets through their selectors
    and services; tickets never import it (what tickets needs from changes is registered here)."""

    name = "changes"
    verbose_name = _("变更")

    def ready(self) -> None:
        from tickets.services.downtime import downtime_maintenance_linker_register

        from .services import downtime_link_maintenance

        downtime_maintenance_linker_register(downtime_link_maintenance)
