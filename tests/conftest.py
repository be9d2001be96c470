"""Shared fixtures. State is built through services, never by saving models by hand."""

import itertools

import pytest
from rest_framework.test import APIClient

from accounts.models import Organization
from accounts.roles import Role
from accounts.services import user_create
from tests import dbstate

_seq = itertools.count(1)
dbstate.install()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a transactional test's flush, the migration-seeded rows are put back (tests/dbstate.py)."""
    yield
    if nextitem is not None and dbstate.is_transactional(item):  # the last test takes the database with it
        from django.db import connection
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            dbstate.restore(connection)


@pytest.fixture
def purchaser(db) -> Organization:
    return Organization.objects.get(name="北京市城市管理综合执法局")  # seeded by migration with the contract


@pytest.fixture
def purchaser_dept(purchaser) -> Organization:
    return Organization.objects.create(name="测试信息中心", short_name="信息中心", kind="purchaser", parent=purchaser)


@pytest.fixture
def other_purchaser(db) -> Organization:
    return Organization.objects.create(name="北京市测试局", short_name="测试局", kind="purchaser")


@pytest.fixture
def provider(db) -> Organization:
    return Organization.objects.get(name="政务云服务商")


@pytest.fixture
def make_user(db, provider, purchaser_dept):
    """make_user(Role.ENGINEER) or make_user(Role.REQUESTER, organization=other_purchaser)."""

    def make(*roles: str, organization: Organization | None = None, username: str | None = None, **extra):
        if organization is None:
            purchaser_side = set(roles) <= {Role.REQUESTER, Role.APPROVER, Role.AUDITOR} and roles
            organization = purchaser_dept if purchaser_side else provider
        n = next(_seq)
        return user_create(
            username=username or f"{(roles[0] if roles else 'user')}{n}",
            real_name=extra.pop("real_name", f"测试用户{n}"),
            organization=organization,
            roles=list(roles),
            password="pw-Opsdesk-2026",
            email=extra.pop("email", f"u{n}@example.test"),
            **extra,
        )

    return make


@pytest.fixture
def users(make_user, other_purchaser, provider) -> dict:
    """One user per role, plus a requester and approver of another purchaser. `auditor` is an auditor of
    the requester's purchaser (it reads that purchaser only); `provider_auditor` the provider's (reads all)."""
    return {
        "requester": make_user(Role.REQUESTER),
        "approver": make_user(Role.APPROVER),
        "engineer": make_user(Role.ENGINEER),
        "engineer2": make_user(Role.ENGINEER),
        "tech_lead": make_user(Role.TECH_LEAD, Role.ENGINEER),
        "duty_leader": make_user(Role.DUTY_LEADER, Role.ENGINEER),
        "project_manager": make_user(Role.PROJECT_MANAGER),
        "auditor": make_user(Role.AUDITOR),
        "provider_auditor": make_user(Role.AUDITOR, organization=provider),
        "other_requester": make_user(Role.REQUESTER, organization=other_purchaser),
        "other_approver": make_user(Role.APPROVER, organization=other_purchaser),
    }


@pytest.fixture
def api():
    """api(user) -> an APIClient authenticated as `user` (None: anonymous)."""

    def make(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def systems(purchaser, other_purchaser):
    from tickets.models import BusinessSystem, Host

    own = BusinessSystem.objects.create(name="测试大数据平台", organization=purchaser, importance="important")
    own_normal = BusinessSystem.objects.create(name="测试门户网站", organization=purchaser, importance="normal")
    other = BusinessSystem.objects.create(name="他局系统", organization=other_purchaser)
    host = Host.objects.create(
        name="t-host-01", business_system=own, vcpu=8, memory_gb=32, storage_gb=500, os_family="open_source", ip_address="10.1.1.1"
    )
    other_host = Host.objects.create(
        name="t-host-99", business_system=other, vcpu=4, memory_gb=16, os_family="windows", ip_address="10.9.9.9"
    )
    return {"own": own, "own_normal": own_normal, "other": other, "host": host, "other_host": other_host}


@pytest.fixture(autouse=True)
def _cache_empty():
    """Every test starts with an empty cache: a test's rows are rolled back without the signals that would
    have forgotten what was cached from them (the drop-downs' pairs, tickets.selectors.reference)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _broker_pause_reset():
    """core.dispatch stops publishing for a while after a broker failure (per process): every test
    starts with the broker presumed up."""
    from core import dispatch

    dispatch.broker_pause_reset()
    yield
    dispatch.broker_pause_reset()


@pytest.fixture(autouse=True)
def _interface_language():
    """Every test starts in the interface's first language: a request handled in English (the language
    cookie) leaves English active in the test's thread, and the next test would read English words."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
