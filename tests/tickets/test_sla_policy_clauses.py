"""The SLA policies cite the clause that sets their target (migration 0017): a clause search for 8.2.12
finds the response, clearing and restoration targets."""

import importlib

import pytest
from django.apps import apps

from tickets.models import SlaPolicy

pytestmark = pytest.mark.django_db

fix = importlib.import_module("tickets.migrations.0017_sla_policy_clauses_cite_8_2_12")


def test_the_8_2_12_targets_cite_8_2_12():
    cited = dict(SlaPolicy.objects.values_list("name", "clause"))
    for name in ("故障响应 15 分钟", "故障定位并排除 30 分钟", "P1 宕机故障定位 30 分钟", "P1 宕机故障恢复 4 小时",
                 "安全事件响应 15 分钟"):
        assert cited[name] == "8.2.12", name
    assert cited["存储缩容 8 小时"] == "2.1"
    assert not SlaPolicy.objects.filter(clause__in=("8.1.6",)).exists()


def test_the_fix_leaves_an_edited_clause_alone_and_reverses():
    SlaPolicy.objects.filter(name="故障响应 15 分钟").update(clause="8.2.12, 验收 1(4)")
    fix.backwards(apps, None)
    assert SlaPolicy.objects.get(name="故障定位并排除 30 分钟").clause == "8.1.6"
    assert SlaPolicy.objects.get(name="故障响应 15 分钟").clause == "8.2.12, 验收 1(4)"
    fix.forwards(apps, None)
    assert SlaPolicy.objects.get(name="故障定位并排除 30 分钟").clause == "8.2.12"
    assert SlaPolicy.objects.get(name="故障响应 15 分钟").clause == "8.2.12, 验收 1(4)"
