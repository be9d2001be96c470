from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutineConfig(AppConfig):
    name = "routine"
    verbose_name = _("例行运维")
