"""Routine API errors follow the user's language (the language cookie): Chinese by default, English under `en`."""

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_an_oversized_backup_report_is_refused_in_the_chosen_language(api, users):
    client = api(users["engineer"])
    batch = [{}] * 1001
    response = client.post("/api/v1/backup-runs/", batch, format="json")
    assert response.status_code == 400
    assert response.json()["fields"]["non_field_errors"] == ["一次最多提交 1000 条"]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post("/api/v1/backup-runs/", batch, format="json")
    assert response.json()["fields"]["non_field_errors"] == ["At most 1000 records per request"]
