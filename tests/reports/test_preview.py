"""Issue 19 item 8: the report page previews the first pages of a generated report as PNG images drawn
on the server (pdftoppm), for whoever may read the report, each page drawn once; issuing asks for a
ticked confirmation first (it cannot be undone)."""

import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from reports.models import MonthlyReport
from reports.selectors.periods import parse_month
from reports.services.monthly import monthly_report_request

from .conftest import EVAL_AT

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def draft(users, contract, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = monthly_report_request(actor=users["project_manager"], contract=contract, period=parse_month("2026-10"), now=EVAL_AT)
    report.refresh_from_db()
    assert report.task_state == "done"
    return report


def test_the_report_page_shows_its_first_pages_as_images_drawn_once(draft, users, client, monkeypatch):
    client.force_login(users["project_manager"])
    html = client.get(f"/reports/monthly/{draft.pk}/").content.decode()
    for page in (1, 2, 3):
        assert f'src="/reports/monthly/{draft.pk}/preview/{page}.png"' in html
    assert "/preview/4.png" not in html
    first = client.get(f"/reports/monthly/{draft.pk}/preview/1.png")
    assert first.status_code == 200 and first["Content-Type"] == "image/png"
    assert b"".join(first.streaming_content).startswith(PNG)
    assert (Path(settings.MEDIA_ROOT) / "previews" / f"{draft.sha256}-1.png").exists()

    def no_drawing(*args, **kwargs):
        raise AssertionError(f"drawn again: {args}")

    monkeypatch.setattr(subprocess, "run", no_drawing)
    again = client.get(f"/reports/monthly/{draft.pk}/preview/1.png")
    assert again.status_code == 200 and b"".join(again.streaming_content).startswith(PNG)
    assert client.get(f"/reports/monthly/{draft.pk}/preview/4.png").status_code == 404
    assert client.get(f"/reports/monthly/{draft.pk}/preview/0.png").status_code == 404


def test_the_preview_is_for_those_who_may_read_the_report(draft, users, client):
    client.force_login(users["other_approver"])
    assert client.get(f"/reports/monthly/{draft.pk}/preview/1.png").status_code == 404
    client.force_login(users["requester"])
    assert client.get(f"/reports/monthly/{draft.pk}/preview/1.png").status_code == 403


def test_a_report_still_generating_has_no_preview(users, contract, client):
    report = monthly_report_request(actor=users["project_manager"], contract=contract, period=parse_month("2026-10"), now=EVAL_AT)
    assert MonthlyReport.objects.get(pk=report.pk).task_state != "done"
    client.force_login(users["project_manager"])
    assert "preview-pages" not in client.get(f"/reports/monthly/{report.pk}/").content.decode()
    assert client.get(f"/reports/monthly/{report.pk}/preview/1.png").status_code == 404


def test_issuing_from_the_page_asks_for_the_ticked_confirmation(draft, users, client):
    client.force_login(users["project_manager"])
    html = client.get(f"/reports/monthly/{draft.pk}/").content.decode()
    assert 'name="confirm" value="1" required' in html and "不能修改或撤回" in html
    refused = client.post(f"/reports/monthly/{draft.pk}/issue/", follow=True)
    assert "签发前请勾选确认已核对本版本。" in refused.content.decode()
    draft.refresh_from_db()
    assert not draft.is_issued
    client.post(f"/reports/monthly/{draft.pk}/issue/", {"confirm": "1"})
    draft.refresh_from_db()
    assert draft.is_issued and draft.issued_by == users["project_manager"]


def test_one_who_may_not_issue_is_refused_as_before_confirmed_or_not(draft, users, client):
    client.force_login(users["engineer"])
    assert client.post(f"/reports/monthly/{draft.pk}/issue/").status_code == 403
    assert client.post(f"/reports/monthly/{draft.pk}/issue/", {"confirm": "1"}).status_code == 403
    draft.refresh_from_db()
    assert not draft.is_issued
