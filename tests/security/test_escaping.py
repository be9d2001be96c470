"""Text that users type (names, titles, bodies) carries HTML and script into pages only as text."""

import pytest

from core.services import notification_send

pytestmark = pytest.mark.django_db

PAYLOAD = "<script>alert('x')</script><img src=x onerror=alert(1)>"
ESCAPED = "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"


def test_script_in_text_fields_is_escaped_on_every_page_showing_it(client, users, systems):
    requester = users["requester"]
    requester.real_name = "张三<script>alert(1)</script>"  # max 50 characters
    requester.save()
    system = systems["own"]
    system.name = f"系统{PAYLOAD}"
    system.save()
    notification_send(recipients=[requester], kind="t", title=f"标题{PAYLOAD}", body=f"正文{PAYLOAD}", url="/")
    client.force_login(requester)
    pages = ["/", "/notifications/", "/systems/", f"/systems/{system.pk}/"]
    for path in pages:
        html = client.get(path).content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html, path
        assert ESCAPED in html, path
    for path in ["/", "/accounts/profile/"]:  # the user's own name in the header and profile
        html = client.get(path).content.decode()
        assert "张三&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html, path
    client.force_login(users["auditor"])
    html = client.get("/audit-log/").content.decode()
    assert "<script>alert" not in html and ESCAPED in html


def test_script_in_json_is_data_not_markup(api, users):
    notification_send(recipients=[users["engineer"]], kind="t", title=PAYLOAD)
    response = api(users["engineer"]).get("/api/v1/notifications/")
    assert response["Content-Type"] == "application/json"
    assert response.json()["results"][0]["title"] == PAYLOAD
