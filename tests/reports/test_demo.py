"""The demo data holds an assessed month with one remediation item answered and one open (issue 18)."""

import pytest

from reports.models import Assessment, RemediationAttachment, RemediationItem

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_demo_assessed_month_with_one_item_answered_and_one_open():
    from core.demo import demo_seeders

    wanted = [s for s in demo_seeders() if s.name.startswith(("accounts", "tickets: contract", "reports"))]
    assert [s.name.split(":")[0] for s in wanted] == ["accounts", "tickets", "reports"]
    for seeder in wanted:
        seeder.run()
    assessment = Assessment.objects.get(kind="stage")
    assert assessment.verdict == "remediate" and assessment.package.report.is_issued
    assert assessment.received_by.username == "appr1"
    assert sorted(assessment.items.values_list("state", flat=True)) == ["answered", "open"]
    assert RemediationAttachment.objects.filter(answer__item__assessment=assessment).count() == 1
    counts = (Assessment.objects.count(), RemediationItem.objects.count())
    wanted[-1].run()  # idempotent
    assert (Assessment.objects.count(), RemediationItem.objects.count()) == counts
