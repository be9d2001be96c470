"""tickets.selectors.reporting and the clock figures of tickets.selectors.sla: what reports reads of
tickets, decided in tickets."""

import pytest

from tickets.models import ClockName, Severity, TicketKind
from tickets.selectors.sla import CLOCK_FIGURES, clock_figure_q, sla_target_minutes


def test_the_kpis_count_the_clocks_tickets_defines():
    """Until reports/selectors/kpis.py reads tickets' selectors (issue 15, then the lead), its copy of
    the clock figures must be the one tickets decides: the monthly report's per-system table and chart
    use tickets', the KPI table kpis' own."""
    from reports.selectors.kpis import CLOCK_KPIS, clock_kpi_q

    assert [key for key, *_rest in CLOCK_KPIS] == list(CLOCK_FIGURES)
    for key in CLOCK_FIGURES:
        assert clock_kpi_q(key) == clock_figure_q(key), key


def test_an_unknown_clock_figure_is_a_key_error():
    with pytest.raises(KeyError):
        clock_figure_q("uptime")


@pytest.mark.django_db
def test_targets_come_from_the_sla_policies():
    """8.2.12: response 15 min, fault located and cleared 30 min, P1 restored in 4 h (the seeded
    policies); a clock no policy gives is None."""
    assert sla_target_minutes(kind=TicketKind.FAULT, clock=ClockName.RESPONSE) == 15
    assert sla_target_minutes(kind=TicketKind.SECURITY, clock=ClockName.RESPONSE) == 15
    assert sla_target_minutes(kind=TicketKind.FAULT, clock=ClockName.RESOLVE, severity=Severity.P3) == 30
    assert sla_target_minutes(kind=TicketKind.FAULT, clock=ClockName.RESTORE, severity=Severity.P1) == 240
    assert sla_target_minutes(kind=TicketKind.FAULT, clock=ClockName.RESTORE, severity=Severity.P3) is None
