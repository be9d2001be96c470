"""A ticket page's links to other apps' pages (tickets.selectors.links): the reports app registers the
downtime report's link behind its own access rule."""

import pytest

from tickets.selectors.links import ticket_links_for


@pytest.mark.django_db
def test_a_p1_ticket_page_links_the_downtime_report_for_report_readers_only(users, new_ticket, client):
    """The reports app decides (reports.selectors.access.user_may_read_reports) and fills the link."""
    p1 = new_ticket(severity="P1")
    p2 = new_ticket(severity="P2")
    [link] = ticket_links_for(user=users["approver"], ticket=p1)
    assert link.url == f"/api/v1/tickets/{p1.pk}/downtime-report.pdf" and link.download
    assert ticket_links_for(user=users["engineer"], ticket=p1) == [link]
    assert ticket_links_for(user=users["requester"], ticket=p1) == []
    assert ticket_links_for(user=users["approver"], ticket=p2) == []
    client.force_login(users["approver"])
    page = client.get(f"/tickets/{p1.pk}/").content.decode()
    assert f'href="/api/v1/tickets/{p1.pk}/downtime-report.pdf" download' in page
    client.force_login(users["requester"])
    assert "downtime-report.pdf" not in client.get(f"/tickets/{p1.pk}/").content.decode()
