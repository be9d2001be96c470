"""The peer: django-helpdesk 2.6.1 loaded with the same tickets as an OpsDesk bench database and
measured with the same client (Django's test client, full middleware, a logged-in staff member).

Runs in the peer's own venv (var/peer-venv, see bench/run.py --peer), never in OpsDesk's .venv:

    PEER_DB=opsdesk_bench_peer_100k var/peer-venv/bin/python bench/peer/peer.py load postgres://…/opsdesk_bench_100k
    PEER_DB=opsdesk_bench_peer_100k var/peer-venv/bin/python bench/peer/peer.py measure --repeat 30

`load` copies OpsDesk's tickets one for one into helpdesk's models (bulk_create, batches of 5 000):
business systems become queues, people users (engineers staff), each ticket a Ticket with its title,
description, status, priority (P1..P4 → 1..4), assignee, times and resolution, each timeline event and
comment a FollowUp. `measure` prints one line `RESULT {json}` with p50/p95 and the query count of
helpdesk's list JSON (datatables_ticket_list: all tickets, newest first, 25 rows — the rows of OpsDesk's
API list), a ticket's page (the same newest in-progress ticket OpsDesk's detail shows) and the dashboard.
"""


from __future__ import annotations

import argparse
import base64
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")

import django

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from helpdesk.models import FollowUp, Queue, Ticket  # noqa: E402

# OpsDesk's statuses in helpdesk's five: open (1), reopened (2), resolved (3), closed (4), duplicate (5).
STATUS = {"new": 1, "acknowledged": 1, "in_progress": 1, "located": 1, "pending": 1, "resolved": 3,
          "closed": 4, "cancelled": 4, "merged": 5}
PRIORITY = {"P1": 1, "P2": 2, "P3": 3, "P4": 4}
BATCH = 5000


def load(source: str) -> None:
    import psycopg

    if Ticket.objects.exists():
        print(f"peer already loaded: {Ticket.objects.count()} tickets")
        return
    t0 = time.perf_counter()
    src = psycopg.connect(source)
    with transaction.atomic():
        systems = src.execute("SELECT id, name FROM tickets_businesssystem ORDER BY id").fetchall()
        queues = {pk: Queue(title=name[:100], slug=f"q{pk}", allow_public_submission=False,
                            allow_email_submission=False) for pk, name in systems}
        Queue.objects.bulk_create(queues.values())
        people = src.execute("SELECT id, username, real_name, email, is_staff, is_superuser FROM accounts_user "
                             "ORDER BY id").fetchall()
        users = {}
        for pk, username, real_name, email, is_staff, _ in people:
            users[pk] = User(username=username[:150], first_name=(real_name or "")[:150], email=email or "",
                             is_staff=is_staff or username.startswith(("bench-eng", "bench-lead")), is_active=True,
                             password="!")  # noqa: S106 - unusable, as set_unusable_password writes
        User.objects.bulk_create(users.values())
        email_of = {pk: u.email or f"{u.username}@example.invalid" for pk, u in users.items()}
        ticket_ids: dict[int, int] = {}
        with src.cursor(name="tickets") as cur:
            cur.itersize = BATCH
            cur.execute("SELECT id, title, description, status, severity, business_system_id, assignee_id, requester_id, "
                        "reported_at, updated_at, resolution, next_due_at FROM tickets_ticket ORDER BY id")
            batch, keys = [], []
            for row in cur:
                pk, title, description, status, severity, system, assignee, requester, reported, updated, resolution, due = row
                batch.append(Ticket(title=title[:200], description=description, status=STATUS.get(status, 1),
                                    priority=PRIORITY.get(severity, 3), queue=queues[system],
                                    assigned_to=users.get(assignee), submitter_email=email_of.get(requester, ""),
                                    created=reported, modified=updated, resolution=resolution or None, due_date=due))
                keys.append((pk, reported, updated))
                if len(batch) == BATCH:
                    _flush_tickets(batch, keys, ticket_ids)
                    batch, keys = [], []
            _flush_tickets(batch, keys, ticket_ids)
        print(f"tickets {len(ticket_ids)} in {time.perf_counter() - t0:.0f} s", flush=True)
        followups = 0
        with src.cursor(name="events") as cur:
            cur.itersize = BATCH
            cur.execute("SELECT ticket_id, at, kind, actor_id, note FROM tickets_ticketevent "
                        "UNION ALL SELECT ticket_id, created_at, 'comment', author_id, body FROM tickets_ticketcomment")
            batch = []
            for ticket_id, at, kind, actor, note in cur:
                batch.append(FollowUp(ticket_id=ticket_ids[ticket_id], date=at, title=kind[:200], comment=note or "",
                                      public=kind == "comment", user=users.get(actor)))
                if len(batch) == BATCH:
                    FollowUp.objects.bulk_create(batch)
                    followups += len(batch)
                    batch = []
            FollowUp.objects.bulk_create(batch)
            followups += len(batch)
    src.close()
    with connection.cursor() as cur:
        cur.execute("VACUUM (ANALYZE)")
    print(f"peer loaded: {len(ticket_ids)} tickets, {followups} follow-ups in {time.perf_counter() - t0:.0f} s")


def _flush_tickets(batch: list, keys: list[tuple], ticket_ids: dict[int, int]) -> None:
    """Insert a batch; then put the reported and last-changed times back: `created` and `modified` are
    auto_now(_add) fields, which bulk_create fills with the present time."""
    if not batch:
        return
    created = Ticket.objects.bulk_create(batch)
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE helpdesk_ticket t SET created = v.created, modified = v.modified "
            "FROM unnest(%s::int[], %s::timestamptz[], %s::timestamptz[]) AS v(id, created, modified) WHERE t.id = v.id",
            [[t.pk for t in created], [k[1] for k in keys], [k[2] for k in keys]],
        )
    for key, ticket in zip(keys, created, strict=True):
        ticket_ids[key[0]] = ticket.pk


def _stats(samples: list[float]) -> dict:
    ordered = sorted(samples)
    p95 = ordered[max(0, -(-95 * len(ordered) // 100) - 1)]
    return {"p50_ms": round(statistics.median(ordered) * 1000, 2), "p95_ms": round(p95 * 1000, 2), "n": len(ordered)}


def measure(repeat: int, engineer: str, ticket_title: str, ticket_reported: str | None) -> dict:
    user = User.objects.get(username=engineer)
    client = Client()
    client.force_login(user)
    from importlib.metadata import version

    results: dict = {"tickets": Ticket.objects.count(), "followups": FollowUp.objects.count(),
                     "version": version("django-helpdesk"), "django": django.get_version()}

    def run(name: str, url: str, n: int) -> None:
        def go():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response
        for _ in range(2):
            go()
        samples = []
        for _ in range(n):
            t0 = time.perf_counter()
            go()
            samples.append(time.perf_counter() - t0)
        with CaptureQueriesContext(connection) as ctx:
            go()
        results[name] = {**_stats(samples), "queries": len(ctx.captured_queries)}

    def datatables(query: dict) -> str:
        encoded = base64.b64encode(json.dumps(query).encode()).decode()
        return (f"/helpdesk/datatables_ticket_list/{encoded}?draw=1&start=0&length=25"
                "&order[0][column]=5&order[0][dir]=desc")

    # The list page's own default query (open and reopened tickets, views/staff.py ticket_list), and all
    # tickets newest first: the rows of OpsDesk's API list.
    run("peer_list_json", datatables({"filtering": {"status__in": [1, 2]}, "sorting": "created", "search_string": ""}),
        repeat)
    run("peer_list_json_all", datatables({"filtering": {}, "sorting": "created", "sortreverse": True, "search_string": ""}),
        max(3, repeat // 10))
    ticket = (Ticket.objects.filter(title=ticket_title, created=ticket_reported).order_by("-id").first()
              or Ticket.objects.order_by("-id").first())
    results["detail_ticket"] = ticket.pk
    run("peer_detail_page", f"/helpdesk/tickets/{ticket.pk}/", repeat)
    run("peer_dashboard", "/helpdesk/dashboard/", max(3, repeat // 10))
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="cmd", required=True)
    p_load = sub.add_parser("load")
    p_load.add_argument("source")
    p_measure = sub.add_parser("measure")
    p_measure.add_argument("--repeat", type=int, default=30)
    p_measure.add_argument("--engineer", default="bench-eng-0")
    p_measure.add_argument("--ticket-title", default="")
    p_measure.add_argument("--ticket-reported", default=None)
    args = parser.parse_args()
    if args.cmd == "load":
        load(args.source)
    else:
        print("RESULT " + json.dumps(measure(args.repeat, args.engineer, args.ticket_title, args.ticket_reported)))


if __name__ == "__main__":
    main()
