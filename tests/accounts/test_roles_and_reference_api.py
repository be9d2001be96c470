import pytest
from django.contrib.auth.models import Group

from accounts.roles import Role

pytestmark = pytest.mark.django_db


def test_every_role_is_a_group_created_by_migration():
    assert set(Group.objects.values_list("name", flat=True)) >= {r.value for r in Role}


@pytest.mark.parametrize("path", ["/api/v1/business-systems/", "/api/v1/hosts/", "/api/v1/service-items/", "/api/v1/organizations/", "/api/v1/users/me/"])
def test_anonymous_requests_are_refused(api, path):
    assert api().get(path).status_code in (401, 403)


def test_requester_sees_only_their_own_organisations_systems_and_hosts(api, users, systems):
    client = api(users["requester"])
    names = {s["name"] for s in client.get("/api/v1/business-systems/").json()["results"]}
    assert names == {"测试大数据平台", "测试门户网站"}
    assert client.get(f"/api/v1/business-systems/{systems['other'].pk}/").status_code == 404
    assert client.get(f"/api/v1/hosts/{systems['other_host'].pk}/").status_code == 404
    hosts = {h["name"] for h in client.get("/api/v1/hosts/").json()["results"]}
    assert hosts == {"t-host-01"}


def test_other_purchaser_sees_nothing_of_the_first(api, users, systems):
    client = api(users["other_requester"])
    names = {s["name"] for s in client.get("/api/v1/business-systems/").json()["results"]}
    assert names == {"他局系统"}
    assert client.get("/api/v1/service-items/").json()["count"] == 0  # the contract is the first bureau's


@pytest.mark.parametrize("role", ["engineer", "project_manager", "provider_auditor"])
def test_provider_staff_and_auditors_see_every_tenant(api, users, systems, role):
    names = {s["name"] for s in api(users[role]).get("/api/v1/business-systems/").json()["results"]}
    assert {"测试大数据平台", "他局系统"} <= names


def test_a_purchasers_auditor_sees_its_purchaser_only(api, users, systems):
    names = {s["name"] for s in api(users["auditor"]).get("/api/v1/business-systems/").json()["results"]}
    assert names == {"测试大数据平台", "测试门户网站"}


def test_reference_endpoints_are_read_only(api, users, systems):
    client = api(users["project_manager"])
    assert client.post("/api/v1/business-systems/", {"name": "x"}).status_code == 405
    assert client.delete(f"/api/v1/hosts/{systems['host'].pk}/").status_code == 405


def test_users_me_returns_real_name_organisation_and_roles(api, users):
    body = api(users["duty_leader"]).get("/api/v1/users/me/").json()
    assert body["roles"] == ["duty_leader", "engineer"]
    assert body["real_name"].startswith("测试用户")
    assert body["organization"]["kind"] == "provider"


def test_list_filters_and_pagination(api, users, systems):
    client = api(users["engineer"])
    body = client.get("/api/v1/business-systems/", {"importance": "important", "page_size": 1}).json()
    assert body["count"] >= 1 and len(body["results"]) == 1
    assert all(s["importance"] == "important" for s in body["results"])
    assert client.get("/api/v1/business-systems/", {"page_size": 1000}).status_code == 200  # capped at 200


def test_reference_list_query_count_is_constant(api, users, systems, django_assert_num_queries):
    from tickets.models import Host

    client = api(users["engineer"])
    client.get("/api/v1/hosts/")  # warm up content types etc.
    with django_assert_num_queries(2):  # count, page (roles are cached on the user)
        client.get("/api/v1/hosts/")
    for i in range(10):
        Host.objects.create(name=f"more-{i}", business_system=systems["own"], vcpu=2, memory_gb=4, os_family="open_source", ip_address=f"10.2.0.{i + 1}")
    client = api(users["engineer"])
    with django_assert_num_queries(2):
        client.get("/api/v1/hosts/")
