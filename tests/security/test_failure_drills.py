"""Failure drills: the broker down, the sweep run twice at once, the database connection killed."""

import threading
import time
from unittest import mock

import pytest
from django.core import mail
from django.db import connection, connections
from werkzeug.test import Client as WsgiClient

from core.models import OutboxMessage
from core.services import notification_send
from core.tasks import outbox_deliver_pending

pg_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="drill needs PostgreSQL (CI)")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_broker_down_keeps_the_notification_and_delivers_once_it_is_back(users):
    from kombu.exceptions import OperationalError as BrokerDown

    with mock.patch("core.tasks.outbox_deliver.delay", side_effect=BrokerDown("connection refused")):
        notes = notification_send(recipients=[users["engineer"], users["duty_leader"]], kind="t", title="代理宕机演练")
    assert len(notes) == 2  # the change and its inbox rows are saved
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"pending"} and not mail.outbox
    # The broker is back: the periodic sweep (which needs no broker to find them) delivers.
    assert outbox_deliver_pending() == 2
    assert outbox_deliver_pending() == 0  # and only once
    assert len(mail.outbox) == 2


@pg_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_sweep_run_twice_at_once_delivers_each_message_once(users):
    with mock.patch("core.tasks.outbox_deliver.delay"):
        for i in range(5):
            notification_send(recipients=[users["engineer"]], kind="t", title=f"并发{i}")
    sent = []

    def slow_send(subject, *args, **kwargs):
        time.sleep(0.2)  # hold the row lock long enough for the other sweep to collide
        sent.append(subject)
        return 1

    barrier = threading.Barrier(2)
    results = []

    def sweep():
        try:
            barrier.wait()
            results.append(outbox_deliver_pending())
        finally:
            connections.close_all()

    with mock.patch("core.services.send_mail", side_effect=slow_send):
        threads = [threading.Thread(target=sweep) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    assert sorted(sent) == [f"并发{i}" for i in range(5)]
    assert sum(results) >= 5 and OutboxMessage.objects.filter(status="sent").count() == 5


def _terminate_app_connection() -> None:
    """Kill this process's database session from another connection, as a restart would."""
    import psycopg

    settings = connection.settings_dict
    pid = connection.connection.info.backend_pid
    with psycopg.connect(
        host=settings["HOST"] or "127.0.0.1", port=settings["PORT"] or 5432, user=settings["USER"],
        password=settings["PASSWORD"] or None, dbname=settings["NAME"], autocommit=True,
    ) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])


@pg_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_database_connection_loss_gives_a_clean_503_then_recovers(users, settings):
    """The app's session is killed (pg_terminate_backend) and, while "down", reconnecting fails
    (the port is pointed at nothing); requests answer a clean 503; once it is "up" they succeed."""
    from opsdesk.wsgi import application

    client = WsgiClient(application)
    real_port = connection.settings_dict["PORT"]

    def go_down():
        connection.ensure_connection()
        _terminate_app_connection()
        connection.settings_dict["PORT"] = "1"  # nothing listens: every reconnect is refused

    def come_back():
        connection.settings_dict["PORT"] = real_port

    try:
        # Killed while up: Django's health check reconnects transparently on the next request.
        connection.ensure_connection()
        _terminate_app_connection()
        assert client.get("/healthz").status_code == 200

        go_down()
        response = client.get("/healthz")
        assert response.status_code == 503 and response.json == {"status": "database unavailable"}
        come_back()
        assert client.get("/healthz").status_code == 200

        # Sign in through the real login form so that pages need the database (session, user).
        client.get("/accounts/login/")
        csrf = client.get_cookie("csrftoken").value
        signed_in = client.post(
            "/accounts/login/",
            data={"username": users["engineer"].username, "password": "pw-Opsdesk-2026", "csrfmiddlewaretoken": csrf},
        )
        assert signed_in.status_code == 302
        for path, headers, ok in [
            ("/api/v1/organizations/", {}, 200),  # session-authenticated
            ("/", {}, 200),
            ("/notifications/", {}, 200),
        ]:
            go_down()
            response = client.get(path, headers=headers)
            body = response.get_data(as_text=True)
            assert response.status_code == 503, (path, response.status_code, body[:300])
            assert "Traceback" not in body and "数据库暂时不可用" in body
            assert response.headers["Retry-After"] == "30"
            come_back()
            assert client.get(path, headers=headers).status_code == ok
    finally:
        come_back()
        connection.close()
