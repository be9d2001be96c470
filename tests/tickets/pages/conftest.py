import pytest


@pytest.fixture
def login(client):
    """login(user) -> the test client signed in as `user`."""

    def make(user):
        client.force_login(user)
        return client

    return make


def action_urls(html: str, ticket_id: int) -> set[str]:
    """The actions whose forms a page offers for a ticket (from the form action URLs)."""
    import re

    return set(re.findall(rf'action="/tickets/{ticket_id}/do/([a-z_]+)/"', html))
