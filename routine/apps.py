from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutineConfig(AppConfig):
    name = "routine"
    verbose_name = _("例行运维")

    def ready(self) -> None:
        # The duty log and handover show the shift's inspection rounds; the roster does not import us.
        from roster.panels import shift_panel_register

        from .selectors.inspections import shift_rounds_panel

        shift_panel_register(shift_rounds_panel)
