"""KPIs for any period (issue 18 item 1): a quarter, the contract's service year, a range of days, each
with its per-month values; one computation, so a period is the merge of its months."""

import datetime as dt

import pytest

from reports.selectors.kpis import KPI_KEYS, Scope, kpis_compute
from reports.selectors.periods import Period, parse_period

from .conftest import SH, at

pytestmark = pytest.mark.django_db

AFTER_Q4 = dt.datetime(2027, 1, 10, 9, tzinfo=SH)  # every clock of the quarter has stopped or run past its due time
COUNT_FIELDS = {
    "response_rate": ("count", "within_target"),
    "response_time": ("count", "within_target"),
    "resolve_time": ("count", "within_target"),
    "restore_time": ("count", "within_target"),
    "resource_on_time": ("count", "within_target"),
    "major_incidents": ("value",),
    "reopened": ("value",),
    "satisfaction_rate": ("rated", "satisfied"),
}


@pytest.fixture
def december(october, users, systems):
    """Two more tickets in December: a late P2 response and a P1 outage, both inside Q4."""
    from tickets.services.satisfaction import ticket_rate
    from tickets.services.tickets import ticket_acknowledge, ticket_create, ticket_locate, ticket_resolve

    req, eng = users["requester"], users["engineer"]
    late = ticket_create(actor=req, title="报表服务超时", kind="fault", severity="P2", business_system=systems["own_normal"],
                         now=at(12, 3, 9))
    ticket_acknowledge(actor=eng, ticket=late, now=at(12, 3, 9, 40))
    ticket_resolve(actor=eng, ticket=late, resolution="重建索引", now=at(12, 3, 10, 30))
    ticket_rate(actor=req, ticket=late, score=2, now=at(12, 4, 9))
    down = ticket_create(actor=req, title="门户宕机", kind="fault", severity="P1", business_system=systems["own_normal"],
                         now=at(12, 20, 14))
    ticket_acknowledge(actor=eng, ticket=down, now=at(12, 20, 14, 5))
    ticket_locate(actor=eng, ticket=down, now=at(12, 20, 14, 20))
    ticket_resolve(actor=eng, ticket=down, resolution="切换备机", now=at(12, 20, 15, 30))  # its outage: 90 minutes
    return {"late": late, "down": down}


def _merged(months, key, field):
    return sum(m.figures[key][field] or 0 for m in months)


def test_a_quarter_is_the_merge_of_its_months(december, purchaser):
    scope = Scope(organization_id=purchaser.pk)
    quarter = kpis_compute(period=parse_period(quarter="2026-Q4"), scope=scope, now=AFTER_Q4, by_month=True)
    assert [m.period.first_day for m in quarter.months] == [dt.date(2026, 10, 1), dt.date(2026, 11, 1), dt.date(2026, 12, 1)]
    # The months are the same computation as the monthly figures.
    october = kpis_compute(period=parse_period(month="2026-10"), scope=scope, now=AFTER_Q4)
    assert quarter.months[0].figures == october.figures
    for key, fields in COUNT_FIELDS.items():
        for field in fields:
            assert quarter.figures[key][field] == _merged(quarter.months, key, field), (key, field)
    # Every month had something of each kind that counts: the check above is not a sum of zeros.
    assert quarter.figures["response_time"]["count"] == 5 + 1 + 2  # October's five, T8 (November, now past due), December's two
    assert quarter.figures["restore_time"]["count"] == 2 and quarter.figures["reopened"]["value"] == 1
    assert quarter.figures["satisfaction_rate"]["rated"] == 4
    # Availability minutes: T3's outage crossing midnight into November is split, December's is its own.
    avail = quarter.figures["availability"]
    assert avail["period_minutes"] == _merged(quarter.months, "availability", "period_minutes") == 92 * 24 * 60
    assert avail["downtime_minutes"] == _merged(quarter.months, "availability", "downtime_minutes") == 180 + 120 + 90
    per_month = [{e["business_system"]: (e["downtime_minutes"], e["excluded_minutes"]) for e in m.figures["availability"]["by_system"]}
                 for m in quarter.months]
    for entry in avail["by_system"]:
        pk = entry["business_system"]
        assert entry["downtime_minutes"] == sum(m[pk][0] for m in per_month)
        assert entry["excluded_minutes"] == sum(m[pk][1] for m in per_month)
    assert [m.figures["availability"]["downtime_minutes"] for m in quarter.months] == [2 + 120, 178, 90]


def test_a_service_year_across_two_calendar_years(october, contract, purchaser, users, systems):
    from tickets.services.tickets import ticket_acknowledge, ticket_create

    ticket = ticket_create(actor=users["requester"], title="年初故障", kind="fault", severity="P3", business_system=systems["own"],
                           now=dt.datetime(2027, 2, 3, 9, tzinfo=SH))
    ticket_acknowledge(actor=users["engineer"], ticket=ticket, now=dt.datetime(2027, 2, 3, 9, 5, tzinfo=SH))
    period = parse_period(contract=contract)
    assert (period.first_day, period.last_day) == (dt.date(2026, 6, 27), dt.date(2027, 6, 26))
    now = dt.datetime(2027, 7, 1, 9, tzinfo=SH)
    year = kpis_compute(period=period, scope=Scope(organization_id=purchaser.pk), now=now, by_month=True)
    parts = [(m.period.first_day, m.period.last_day) for m in year.months]
    assert len(parts) == 13
    assert parts[0] == (dt.date(2026, 6, 27), dt.date(2026, 6, 30)) and parts[-1] == (dt.date(2027, 6, 1), dt.date(2027, 6, 26))
    assert parts[6] == (dt.date(2026, 12, 1), dt.date(2026, 12, 31)) and parts[7] == (dt.date(2027, 1, 1), dt.date(2027, 1, 31))
    assert year.figures["availability"]["period_minutes"] == 365 * 24 * 60
    assert sum(m.figures["availability"]["period_minutes"] for m in year.months) == 365 * 24 * 60
    for key, fields in COUNT_FIELDS.items():
        for field in fields:
            assert year.figures[key][field] == _merged(year.months, key, field), (key, field)
    assert year.figures["response_time"]["count"] == 5 + 1 + 1  # October, T8 and February 2027 in one year
    assert year.figures["major_incidents"]["year_to_date"] == 1
    assert year.figures["major_incidents"]["service_year"] == "2026-06-27..2027-06-26"


def test_the_two_contracts_of_the_demo_data_each_get_their_own_year(db, users, systems, api, time_machine):
    from accounts.demo import seed as seed_accounts
    from tickets.demo import seed_reference

    seed_accounts()
    from tickets.models import Contract
    from tickets.services.tickets import ticket_create

    seed_reference()
    first, renewal = Contract.objects.get(code="BJCG-ZWY-2025"), Contract.objects.get(code="BJCG-ZWY-2026")
    for when in (dt.datetime(2026, 6, 26, 23, 50, tzinfo=SH), dt.datetime(2026, 6, 27, 0, 10, tzinfo=SH),
                 dt.datetime(2026, 9, 1, 10, tzinfo=SH)):
        ticket_create(actor=users["requester"], title="服务年度边界", kind="fault", severity="P3", business_system=systems["own"], now=when)
    time_machine.move_to(dt.datetime(2027, 7, 2, 9, tzinfo=SH), tick=False)
    client = api(users["approver"])
    years = {}
    for contract in (first, renewal):
        response = client.get("/api/v1/reports/kpis/", {"contract": contract.pk})
        assert response.status_code == 200, response.json()
        years[contract.code] = response.json()
    old, new = years["BJCG-ZWY-2025"], years["BJCG-ZWY-2026"]
    assert (old["months"][0]["first_day"], old["months"][-1]["last_day"]) == ("2025-06-27", "2026-06-26")
    assert (new["months"][0]["first_day"], new["months"][-1]["last_day"]) == ("2026-06-27", "2027-06-26")
    # The ticket ten minutes before midnight of 26 June belongs to the first year, the others to the renewal.
    assert old["response_time"]["count"] == 1 and new["response_time"]["count"] == 2
    assert old["major_incidents"]["service_year"] == "2025-06-27..2026-06-26"
    assert new["major_incidents"]["service_year"] == "2026-06-27..2027-06-26"


@pytest.mark.parametrize(("params", "field"), [
    ({"from": "2026-10-01"}, "to"),
    ({"from": "2026-10-01", "to": "2026/10/31"}, "to"),
    ({"from": "2026-02-30", "to": "2026-03-31"}, "from"),
    ({"from": "2026-10-31", "to": "2026-10-01"}, "to"),
    ({"from": "2026-01-01", "to": "2027-02-05"}, "to"),
    ({"month": "2026-10", "quarter": "2026-Q4"}, "month"),
    ({"month": "2026-10", "from": "2026-10-01", "to": "2026-10-31"}, "month"),
    ({"quarter": "2026-Q5"}, "quarter"),
    ({"contract": "abc"}, "contract"),
    ({}, "month"),
], ids=["to-missing", "to-malformed", "no-such-day", "reversed", "over-400-days", "month-and-quarter", "month-and-range",
        "quarter-malformed", "contract-not-a-number", "nothing"])
def test_bad_periods_are_a_400_naming_the_field(params, field, users, api, contract):
    response = api(users["engineer"]).get("/api/v1/reports/kpis/", params)
    assert response.status_code == 400, response.json()
    assert field in response.json()["fields"], response.json()


def test_a_range_and_a_contract_mixed_with_a_month_and_another_purchasers_contract(users, api, contract, other_purchaser, time_machine):
    from tickets.models import Contract

    time_machine.move_to(dt.datetime(2026, 11, 5, 10, tzinfo=SH), tick=False)
    client = api(users["approver"])
    mixed = client.get("/api/v1/reports/kpis/", {"contract": contract.pk, "month": "2026-10"})
    assert (mixed.status_code == 400 and "contract" in mixed.json()["fields"]) or "month" in mixed.json()["fields"]
    # 400 days is the longest range; it answers with each month inside it.
    longest = client.get("/api/v1/reports/kpis/", {"from": "2026-01-01", "to": "2027-02-04"})
    assert longest.status_code == 200 and len(longest.json()["months"]) == 14
    theirs = Contract.objects.create(name="他局合同", code="OTHER-1", purchaser=other_purchaser, provider=contract.provider,
                                     start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 12, 31))
    assert client.get("/api/v1/reports/kpis/", {"contract": theirs.pk}).status_code == 404


def test_a_range_counts_its_own_days(october, purchaser):
    scope = Scope(organization_id=purchaser.pk)
    now = dt.datetime(2026, 11, 5, 10, tzinfo=SH)
    # 10-20..11-01: T6 (reopened), T7 (past due, major), T3 (31st) and its outage's first two minutes.
    period = parse_period(first="2026-10-20", last="2026-11-01")
    result = kpis_compute(period=period, scope=scope, now=now, by_month=True)
    assert result.period == Period("range", dt.date(2026, 10, 20), dt.date(2026, 11, 1))
    assert [(m.period.first_day, m.period.last_day) for m in result.months] == [
        (dt.date(2026, 10, 20), dt.date(2026, 10, 31)), (dt.date(2026, 11, 1), dt.date(2026, 11, 1))]
    assert result.figures["response_time"]["count"] == 3
    assert result.figures["reopened"]["value"] == 1 and result.figures["major_incidents"]["value"] == 1
    assert result.figures["availability"]["downtime_minutes"] == 180
    assert set(result.as_api()) == set(KPI_KEYS) | {"months"}


def test_query_counts_grow_by_a_constant_per_month(october, contract, purchaser, django_assert_num_queries):
    scope = Scope(organization_id=purchaser.pk)
    now = dt.datetime(2026, 11, 5, 10, tzinfo=SH)
    # A month: the monthly figures' 16 queries (15, and T7's running response clock: the longest response,
    # issue 19), and the month is its own only month (no second computation).
    with django_assert_num_queries(16):
        kpis_compute(period=parse_period(month="2026-10"), scope=scope, now=now, by_month=True)
    # A quarter: its own 16, then each month without the shared targets and systems: at most 14 (October:
    # tickets, stopped clocks, an outage and T7's running clock), fewer where a month has less to read
    # (November: T3's outage and T8's running clock, no percentile rows: 11; December: no ticket, no outage: 6).
    with django_assert_num_queries(16 + 14 + 11 + 6):
        kpis_compute(period=parse_period(quarter="2026-Q4"), scope=scope, now=now, by_month=True)
