import pytest

from tickets.services.tickets import ticket_create


@pytest.fixture
def new_ticket(users, systems):
    """new_ticket(kind="fault", severity="P2", actor=requester, system=own, **more) through the service."""

    def make(kind: str = "fault", severity: str = "P2", *, actor=None, system=None, title: str = "测试工单", **more):
        if kind == "resource":
            more.setdefault("resource", "vcpu")
            more.setdefault("direction", "increase")
        return ticket_create(
            actor=actor or users["requester"], title=title, kind=kind, severity=severity,
            business_system=system or systems["own"], **more,
        )

    return make
