from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = _("工单与变更")

    def ready(self) -> None:
        from core.consent import consent_register

        from .models import Exclusion
        from .selectors.exclusions import exclusion_queryset

        # Exclusions appear in the purchaser approver's consent inbox.
        consent_register(Exclusion, label=_("指标排除"), queryset=exclusion_queryset)
