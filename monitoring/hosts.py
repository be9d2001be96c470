"""How monitoring data names a host: an `instance` / `host` label (port stripped) matched to a Host by
name or IP. One rule for the alert intake and the utilisation pull."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from django.db.models import Q

from tickets.models.reference import Host


def strip_port(value: str) -> str:
    """"10.1.1.1:9100" → "10.1.1.1", "[::1]:9100" → "::1", "web-01:9100" → "web-01"."""
    value = (value or "").strip()
    if value.startswith("["):
        return value[1:].split("]", 1)[0]
    if value.count(":") == 1:
        return value.split(":", 1)[0]
    return value


def _looks_like_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def hosts_by_name_or_ip(values: Iterable[str], *, business_system_ids: Iterable[int] | None = None) -> dict[str, Host]:
    """{name or IP: host} for the labels' values (ports stripped by the caller or not: both are
    accepted), in one query; `business_system_ids` limits the hosts to those systems."""
    wanted = {strip_port(v) for v in values} - {""}
    if not wanted:
        return {}
    qs = Host.objects.filter(Q(name__in=list(wanted)) | Q(ip_address__in=[v for v in wanted if _looks_like_ip(v)]))
    if business_system_ids is not None:
        qs = qs.filter(business_system_id__in=list(business_system_ids))
    hosts = list(qs.select_related("business_system"))
    return {h.name: h for h in hosts} | {h.ip_address: h for h in hosts}
