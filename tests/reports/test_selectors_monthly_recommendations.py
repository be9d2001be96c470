"""Clause 8.1.9: the monthly report proposes optimisations drawn from the month's own figures."""

import pytest

from reports.selectors.monthly import monthly_report_data
from reports.selectors.periods import parse_month

from .conftest import EVAL_AT

pytestmark = pytest.mark.django_db


def test_recommendations_name_the_figures_behind_them(october, contract):
    data = monthly_report_data(contract=contract, period=parse_month("2026-10"), now=EVAL_AT)
    missed = [row["label"] for row in data["kpi_rows"] if row["met"] is False]
    assert missed, "the October fixture misses some targets"
    for label in missed:
        assert any(str(label) in text and "未达标" in text for text in data["recommendations"]), label
    down = [e for e in data["kpis"].figures["availability"]["by_system"] if e["downtime_minutes"]]
    assert len([t for t in data["recommendations"] if "非计划停机" in t]) == len(down)
