"""What monitoring adds to other apps' pages (registered in MonitoringConfig.ready())."""

from core.panels import Panel

from .selectors import alerts_silenced_by_change


def change_silenced_alerts(*, user, obj) -> Panel | None:
    """The change page: the alerts its approved window silenced (newest first, at most 50)."""
    alerts = list(alerts_silenced_by_change(user=user, change_id=obj.pk)[:51])
    if not alerts:
        return None
    return Panel("monitoring/_change_silenced.html", {"alerts": alerts[:50], "more": len(alerts) > 50})
