"""Saved views of the ticket list (issue 19 item 10): a user's named query strings of the list's
filters, checked as the list reads them, one default at most; nobody sees another's."""

import pytest

from core.exceptions import NotFound, ValidationFailed
from tickets.models import SavedTicketView
from tickets.selectors.saved_views import saved_view_get_for_user, saved_view_list_for_user
from tickets.services.saved_views import SAVED_VIEWS_PER_USER, saved_view_create, saved_view_delete, saved_view_update

pytestmark = pytest.mark.django_db


def test_a_view_is_saved_renamed_made_default_and_deleted(users):
    engineer = users["engineer"]
    p1 = saved_view_create(actor=engineer, name="P1 故障", query="kind=fault&severity=P1", is_default=True)
    mine = saved_view_create(actor=engineer, name="我的", query="queue=mine", is_default=True)
    p1.refresh_from_db()
    assert not p1.is_default and mine.is_default  # one default
    saved_view_update(actor=engineer, view=p1, name=" 宕机 ", is_default=True)
    assert [(v.name, v.is_default) for v in saved_view_list_for_user(user=engineer)] == [("宕机", True), ("我的", False)]
    with pytest.raises(ValidationFailed) as same:
        saved_view_update(actor=engineer, view=mine, name="宕机")
    assert "name" in same.value.fields
    saved_view_delete(actor=engineer, view=mine)
    assert list(saved_view_list_for_user(user=engineer).values_list("name", flat=True)) == ["宕机"]


def test_nobody_sees_anothers_views(users):
    view = saved_view_create(actor=users["engineer"], name="夜班", query="breached=1")
    assert not saved_view_list_for_user(user=users["engineer2"]).exists()
    with pytest.raises(NotFound):
        saved_view_get_for_user(user=users["engineer2"], view_id=view.pk)


def test_names_are_required_unique_and_bounded_in_number(users):
    requester = users["requester"]
    with pytest.raises(ValidationFailed):
        saved_view_create(actor=requester, name="  ", query="")
    for i in range(SAVED_VIEWS_PER_USER):
        saved_view_create(actor=requester, name=f"视图{i}", query=f"search={i}")
    with pytest.raises(ValidationFailed) as full:
        saved_view_create(actor=requester, name="再来一个", query="")
    assert "30" in full.value.fields["name"][0]


def test_the_api_keeps_each_users_views_and_checks_the_query_as_the_list_reads_it(api, users):
    client = api(users["duty_leader"])
    created = client.post("/api/v1/ticket-views/", {"name": "超时", "query": "?page=2&breached=1&queue=breaching&x=1",
                                                    "is_default": True}, format="json")
    assert created.status_code == 201
    body = created.json()
    assert body["query"] == "queue=breaching&breached=1"  # canonical: the list's keys, no page, in the form's order
    assert body["list_url"] == "/tickets/queue/breaching/?breached=1" and body["is_default"] is True
    bad = client.post("/api/v1/ticket-views/", {"name": "坏", "query": "severity=P9&queue=all"}, format="json")
    assert bad.status_code == 400 and len(bad.json()["fields"]["query"]) == 2
    url = f"/api/v1/ticket-views/{body['id']}/"
    assert client.patch(url, {"name": "快超时"}, format="json").json()["name"] == "快超时"
    assert api(users["engineer"]).get(url).status_code == 404
    assert api(users["engineer"]).patch(url, {"name": "抢"}, format="json").status_code == 404
    assert api(users["engineer"]).delete(url).status_code == 404
    assert [v["name"] for v in client.get("/api/v1/ticket-views/").json()["results"]] == ["快超时"]
    assert api(users["engineer"]).get("/api/v1/ticket-views/").json()["results"] == []
    assert client.delete(url).status_code == 204 and not SavedTicketView.objects.exists()


def test_an_auditor_keeps_views_too(api, users):
    response = api(users["auditor"]).post("/api/v1/ticket-views/", {"name": "本月", "query": "kind=fault"}, format="json")
    assert response.status_code == 201


def test_the_list_page_shows_the_views_saves_the_current_filters_and_opens_the_default(client, users, new_ticket):
    new_ticket(severity="P1", title="宕机")
    new_ticket(severity="P3", title="一般问题")
    client.force_login(users["requester"])
    html = client.get("/tickets/?severity=P1").content.decode()
    assert "还没有保存的视图" in html and 'name="query" value="severity=P1"' in html
    saved = client.post("/tickets/views/", {"name": "P1", "query": "severity=P1", "is_default": "on",
                                            "next": "/tickets/?severity=P1"}, follow=True)
    assert saved.redirect_chain[-1][0] == "/tickets/?severity=P1"
    html = saved.content.decode()
    assert "已保存视图“P1”" in html and 'href="/tickets/?severity=P1" aria-current="true"' in html
    opened = client.get("/tickets/")  # the default view
    assert opened.status_code == 302 and opened["Location"] == "/tickets/?severity=P1"
    everything = client.get("/tickets/?view=all").content.decode()
    assert "一般问题" in everything and "宕机" in everything
    view = SavedTicketView.objects.get()
    client.post(f"/tickets/views/{view.pk}/", {"name": "紧急", "next": "/tickets/?view=all"})  # default unticked
    view.refresh_from_db()
    assert view.name == "紧急" and not view.is_default
    assert client.get("/tickets/").status_code == 200
    refused = client.post("/tickets/views/", {"name": "坏", "query": "severity=P9", "next": "/tickets/"}, follow=True)
    assert any("级别" in str(m) for m in refused.context["messages"]) and SavedTicketView.objects.count() == 1
    client.force_login(users["approver"])
    assert client.post(f"/tickets/views/{view.pk}/delete/", {"next": "/tickets/"}).status_code == 404
    client.force_login(users["requester"])
    client.post(f"/tickets/views/{view.pk}/delete/", {"next": "/tickets/"})
    assert not SavedTicketView.objects.exists()


def test_a_view_naming_a_queue_opens_the_queue_page_for_staff_and_the_list_for_the_purchaser(client, api, users):
    api(users["engineer"]).post("/api/v1/ticket-views/", {"name": "我的故障", "query": "queue=mine&kind=fault"}, format="json")
    client.force_login(users["engineer"])
    html = client.get("/tickets/queue/mine/?kind=fault").content.decode()
    assert 'href="/tickets/queue/mine/?kind=fault" aria-current="true"' in html
    created = api(users["requester"]).post("/api/v1/ticket-views/", {"name": "未完成", "query": "queue=open"}, format="json")
    assert created.json()["list_url"] == "/tickets/?queue=open"  # purchasers have no work queue pages
