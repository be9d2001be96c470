"""Major liability incidents (issue 15 item 9): counted only with the purchaser's consent, for the month
and for the contract's service year to date (target 0 a year)."""

import pytest

from reports.selectors.kpis import Scope, kpis_compute
from reports.selectors.periods import parse_month
from tickets.selectors.measures import service_year
from tickets.services.exclusions import exclusion_decide, ticket_mark_major
from tickets.services.tickets import ticket_create

from .conftest import EVAL_AT, at

pytestmark = pytest.mark.django_db


def _major(purchaser, month="2026-10"):
    return kpis_compute(period=parse_month(month), scope=Scope(organization_id=purchaser.pk), now=EVAL_AT).figures["major_incidents"]


def _incident(users, system, when, kind="fault"):
    return ticket_create(actor=users["engineer"], title="数据泄露", kind=kind, severity="P2", business_system=system,
                         channel="monitoring", now=when)


def test_the_service_year_runs_from_the_contracts_start(contract, purchaser):
    import datetime as dt

    # The renewal runs 2026-06-27 .. 2027-06-26; the seeded contract before it ends 2026-06-26.
    assert service_year(organization_id=purchaser.pk, day=dt.date(2026, 6, 27)) == (dt.date(2026, 6, 27), dt.date(2027, 6, 26))
    assert service_year(organization_id=purchaser.pk, day=dt.date(2026, 6, 26))[1] == dt.date(2026, 6, 26)
    assert service_year(organization_id=purchaser.pk, day=dt.date(2031, 1, 1)) is None


def test_year_to_date_counts_confirmed_classifications_of_the_service_year(contract, users, systems, purchaser):
    own = systems["own"]
    before_year = _incident(users, own, at(6, 26, 23, 59))  # the last minute of the previous service year
    first_day = _incident(users, own, at(6, 27, 0, 0))
    proposed_only = _incident(users, own, at(8, 3, 9), kind="security")
    disputed = _incident(users, own, at(9, 3, 9))
    in_october = _incident(users, own, at(10, 3, 9), kind="security")
    approver, pm = users["approver"], users["project_manager"]
    ticket_mark_major(actor=approver, ticket=before_year, reason="采购人认定", now=at(10, 4, 0))
    ticket_mark_major(actor=approver, ticket=first_day, reason="采购人认定", now=at(10, 4, 0))
    ticket_mark_major(actor=pm, ticket=proposed_only, reason="服务商提出", now=at(10, 4, 0))
    d = ticket_mark_major(actor=pm, ticket=disputed, reason="服务商提出", now=at(10, 4, 0))
    exclusion_decide(actor=approver, exclusion=d, action="confirm", now=at(10, 5, 0))
    exclusion_decide(actor=approver, exclusion=d, action="dispute", note="复核后不属于", now=at(10, 6, 0))
    p = ticket_mark_major(actor=pm, ticket=in_october, reason="服务商提出", now=at(10, 4, 0))
    assert _major(purchaser)["value"] == 0  # the October proposal still waits
    exclusion_decide(actor=approver, exclusion=p, action="confirm", now=at(10, 5, 0))

    f = _major(purchaser)
    assert (f["value"], f["met"]) == (1, False)
    assert (f["year_to_date"], f["service_year"], f["year_met"]) == (2, "2026-06-27..2027-06-26", False)
    july = _major(purchaser, "2026-07")
    assert (july["value"], july["year_to_date"]) == (0, 1)  # first_day (June 27) only, up to July's end
