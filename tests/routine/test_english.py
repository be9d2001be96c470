"""Routine API errors follow the user's language (the language cookie): Chinese by default, English under `en`."""

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_a_malformed_backup_report_is_refused_in_the_chosen_language(api, users):
    client = api(users["engineer"])
    response = client.post("/api/v1/backup-runs/", "not a record", format="json")
    assert response.status_code == 400
    assert response.json()["fields"]["non_field_errors"] == ["请提交一条备份记录（对象）或多条（数组）"]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post("/api/v1/backup-runs/", "not a record", format="json")
    assert response.json()["fields"]["non_field_errors"] == ["Submit one backup record (an object) or several (an array)"]
