"""Each KPI figure links to the ticket list filtered to exactly the tickets it counts: the link's
parameters are the ones the ticket list page (tickets.forms.TicketFilterForm) accepts."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from reports.selectors.kpis import Scope, kpis_compute
from reports.selectors.periods import parse_month
from tickets.forms import TicketFilterForm
from tickets.models import Ticket

from .conftest import EVAL_AT

pytestmark = pytest.mark.django_db


def _listed(client, url) -> set[str]:
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    return set(re.findall(r"GZ-\d{8}-\d{4}|AQ-\d{8}-\d{4}|ZY-\d{8}-\d{4}|FW-\d{8}-\d{4}", html))


@pytest.mark.parametrize("role", ["project_manager", "approver"])
def test_following_a_kpi_link_lists_exactly_the_tickets_counted(october, purchaser, users, client, time_machine, role):
    time_machine.move_to(EVAL_AT, tick=False)
    result = kpis_compute(period=parse_month("2026-10"), scope=Scope(organization_id=purchaser.pk), now=EVAL_AT)
    f, links = result.figures, result.links
    client.force_login(users[role])
    expected = {
        ("response_time", "all"): f["response_time"]["count"],
        ("response_time", "missed"): f["response_time"]["count"] - f["response_time"]["within_target"],
        ("response_rate", "missed"): f["response_rate"]["count"] - f["response_rate"]["within_target"],
        ("resolve_time", "all"): f["resolve_time"]["count"],
        ("resolve_time", "missed"): f["resolve_time"]["count"] - f["resolve_time"]["within_target"],
        ("restore_time", "all"): f["restore_time"]["count"],
        ("resource_on_time", "all"): f["resource_on_time"]["count"],
        ("major_incidents", "all"): f["major_incidents"]["count"],
        ("satisfaction_rate", "all"): f["satisfaction_rate"]["rated"],
        ("satisfaction_rate", "missed"): f["satisfaction_rate"]["rated"] - f["satisfaction_rate"]["satisfied"],
    }
    # The hand-built month makes every one of these non-trivial (see conftest).
    assert expected[("response_time", "all")] == 5 and expected[("response_time", "missed")] == 2
    assert expected[("response_rate", "missed")] == 1 and expected[("resolve_time", "missed")] == 2
    for (key, which), count in expected.items():
        url = links[key][which]
        listed = _listed(client, url)
        assert len(listed) == count, (key, which, url, listed)
        # Every parameter of the link is a filter the page knows (none silently ignored).
        form_fields = set(TicketFilterForm(user=users[role], staff_filters=role == "project_manager").fields) | {"organization"}
        assert set(parse_qs(urlsplit(url).query)) <= form_fields, url
    missed = _listed(client, links["response_time"]["missed"])
    assert missed == set(Ticket.objects.filter(title__in=["数据库连接失败", "疑似入侵"]).values_list("number", flat=True))
