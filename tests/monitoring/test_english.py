"""Monitoring errors follow the user's language (the language cookie): Chinese by default, English under `en`."""

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from core.exceptions import PermissionDenied
from monitoring.services.integrations import integration_update

pytestmark = pytest.mark.django_db


def test_a_wrong_intake_url_answers_in_the_chosen_language(integration):
    url = f"/api/v1/integrations/wrong-token/{integration.kind}/"
    client = Client()
    assert client.post(url, data=b"{}", content_type="application/json").json()["message"] == "接入地址无效（密钥错误或已更换）"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(url, data=b"{}", content_type="application/json")
    assert response.status_code == 404
    assert response.json()["message"] == "Invalid intake URL (wrong or replaced token)"


def test_service_refusal_in_english(integration, users):
    with translation.override("en"), pytest.raises(PermissionDenied) as exc:
        integration_update(actor=users["engineer"], integration=integration, enabled=False)
    assert str(exc.value.message) == "Only the project manager or a duty leader can manage monitoring integrations"
