"""The admin shows every tickets and changes model, and offers no way to add, edit or delete what only the
services write (tickets, timelines, approvals, comments, ratings, downtime)."""

import pytest
from django.contrib import admin
from django.urls import reverse

from core.admin import ReadOnlyAdmin

pytestmark = pytest.mark.django_db


def test_every_tickets_admin_page_renders_and_service_records_are_read_only(client, django_user_model):
    root = django_user_model.objects.create_superuser("root", "root@example.test", "pw-Opsdesk-2026", real_name="管理员")
    client.force_login(root)
    read_only = []
    for model, model_admin in admin.site._registry.items():
        label = model._meta.app_label
        if label not in ("tickets", "changes"):
            continue
        name = model._meta.model_name
        assert client.get(reverse(f"admin:{label}_{name}_changelist")).status_code == 200, name
        if isinstance(model_admin, ReadOnlyAdmin):
            read_only.append(name)
            assert client.get(reverse(f"admin:{label}_{name}_add")).status_code == 403, name
    assert {"ticket", "ticketevent", "changerequest", "changeevent", "downtimerecord"} <= set(read_only)
