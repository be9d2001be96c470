"""tickets.selectors.reporting and the clock figures of tickets.selectors.sla: what reports reads of
tickets, decided in tickets."""

import pytest

from tickets.models import ClockName, Severity, TicketKind
from tickets.selectors.sla import clock_figure_q, sla_target_minutes


def test_reports_restates_no_target_and_no_word_of_the_domain():
    """Issue 14: the clock targets and the words of the domain (which severity is system-down, which
    kinds are incidents, what "cancelled" is) are decided in tickets; reports' KPI code names none of them."""
    from pathlib import Path

    source = (Path(__file__).resolve().parents[2] / "reports" / "selectors" / "kpis.py").read_text()
    code = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("#", '"')))
    for word in ('"P1"', '"fault"', '"security"', '"resource"', '"cancelled"', "= 15\n", "= 30\n", "= 240\n", "= 480\n"):
        assert word not in code, word


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
