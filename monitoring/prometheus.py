"""A small client of Prometheus's HTTP query API (/api/v1/query_range): one expression over one day,
each series reduced to its daily average and 95th percentile. Standard library only."""

from __future__ import annotations

import datetime as dt
import json
import math
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.utils.translation import gettext as _

from core.exceptions import DomainError

MAX_POINTS = 10_000


class PrometheusError(DomainError):
    status_code = 502
    default_code = "prometheus_error"


@dataclass(frozen=True)
class SeriesDay:
    instance: str
    average: float
    p95: float
    points: int


def _p95(values: list[float]) -> float:
    """The nearest-rank 95th percentile (what a reader recomputes from the exported points)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def query_range_day(*, base_url: str, expr: str, start: dt.datetime, end: dt.datetime, step_seconds: int,
                    timeout: float) -> list[SeriesDay]:
    """The expression's series between `start` and `end` (aware datetimes), one SeriesDay per series
    that has an `instance` label and at least one finite value; values are clamped to 0–100."""
    # Prometheus refuses more than 11,000 points per series: a coarser step for a long span.
    step_seconds = max(step_seconds, math.ceil((end - start).total_seconds() / MAX_POINTS))
    params = urllib.parse.urlencode({"query": expr, "start": f"{start.timestamp():.3f}", "end": f"{end.timestamp():.3f}",
                                     "step": f"{step_seconds}s"})
    url = base_url.rstrip("/") + "/api/v1/query_range?" + params
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise PrometheusError(_("OPSDESK_PROMETHEUS_URL 须为 http(s) 地址"))
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310 (scheme checked above)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
            body = json.loads(answer.read())
    except urllib.error.HTTPError as exc:  # a bad expression is a 400 with Prometheus's reason in the body
        raise PrometheusError(f"Prometheus 查询失败：HTTP {exc.code} {exc.read()[:500].decode('utf-8', 'replace')}") from exc
    except Exception as exc:  # network, or not JSON
        raise PrometheusError(f"Prometheus 查询失败：{type(exc).__name__}: {exc}") from exc
    if body.get("status") != "success":
        raise PrometheusError(f"Prometheus 查询失败：{body.get('errorType', '')} {body.get('error', '')}".strip())
    data = body.get("data") or {}
    if data.get("resultType") != "matrix":
        raise PrometheusError(f"Prometheus 查询结果应为区间向量（matrix），得到 {data.get('resultType')}")
    found = []
    for series in data.get("result") or []:
        instance = (series.get("metric") or {}).get("instance", "")
        values = []
        for _ts, raw in series.get("values") or []:
            try:
                value = float(raw)
            except (TypeError, ValueError):
                continue
            if math.isfinite(value):
                values.append(min(100.0, max(0.0, value)))
        if instance and values:
            found.append(SeriesDay(instance=instance, average=sum(values) / len(values), p95=_p95(values), points=len(values)))
    return found
