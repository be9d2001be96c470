"""Raw-SQL floors for bench/run.py: each measured page read with psycopg alone (no Django, no ORM) and
written as its JSON or an HTML equivalent — the same rows, every column the page shows, its count — so
that a path's time can be given as a ratio to what the database and the wire format alone cost on the
same machine, in the same run.

The floors do not compute what only the application knows (which actions the viewer may take, the SLA
badges' remaining time): they read and write the data. A ratio of 1 is therefore out of reach; the
targets (bench/README.md) are set as multiples of it.
"""

# ruff: noqa: S608 - fixed SQL of our own
from __future__ import annotations

import json
from html import escape

OPEN = ("new", "acknowledged", "in_progress", "located", "pending")
COUNT_CAP = 10_000  # as core.pagination.CappedCountPaginator: "more than 10 000"

# Every column TicketSerializer shows, with the names of the people and the system it shows.
_TICKET_COLUMNS = """
t.id, t.number, t.title, t.description, t.kind, t.severity, t.status, t.business_system_id AS business_system,
bs.name AS business_system_name, t.service_item_id AS service_item, t.organization_id AS organization, t.channel,
t.reported_at,
json_build_object('id', rq.id, 'name', rq.real_name) AS requester,
json_build_object('id', rb.id, 'name', rb.real_name) AS recorded_by,
CASE WHEN a.id IS NULL THEN NULL ELSE json_build_object('id', a.id, 'name', a.real_name) END
    AS assignee,
t.acknowledged_at, t.started_at, t.located_at, t.pending_since, t.resolved_at, t.closed_at, t.cancelled_at,
t.resolution, t.cancel_reason, t.resource, t.direction, t.amount_before, t.amount_after, t.major_incident,
t.major_incident_reason, t.major_marked_at, t.outage_impact, t.root_cause, t.actions_taken, t.prevention,
t.next_due_at, t.created_at, t.updated_at, (sr.id IS NOT NULL) AS rated,
ARRAY(SELECT host_id FROM tickets_ticket_hosts h WHERE h.ticket_id = t.id ORDER BY host_id) AS hosts
"""
_TICKET_FROM = """
FROM tickets_ticket t
JOIN tickets_businesssystem bs ON bs.id = t.business_system_id
JOIN accounts_user rq ON rq.id = t.requester_id
JOIN accounts_user rb ON rb.id = t.recorded_by_id
LEFT JOIN accounts_user a ON a.id = t.assignee_id
LEFT JOIN tickets_satisfactionrating sr ON sr.ticket_id = t.id
"""
# What a ticket as a row of the API list shows (tickets.apis.TicketRowSerializer).
_API_ROW_COLUMNS = """
t.id, t.number, t.title, t.kind, t.severity, t.status, t.business_system_id AS business_system,
bs.name AS business_system_name, t.organization_id AS organization,
CASE WHEN a.id IS NULL THEN NULL ELSE json_build_object('id', a.id, 'name', a.real_name) END AS assignee,
t.reported_at, t.major_incident, t.next_due_at, t.updated_at, (sr.id IS NOT NULL) AS rated
"""
# What a row of a queue or list page shows.
_ROW_COLUMNS = """
t.id, t.number, t.title, t.kind, t.severity, t.status, t.major_incident, t.reported_at, t.next_due_at,
bs.name AS system, a.real_name AS assignee, (sr.id IS NOT NULL) AS rated
"""
_ROW_FROM = """
FROM tickets_ticket t
JOIN tickets_businesssystem bs ON bs.id = t.business_system_id
LEFT JOIN accounts_user a ON a.id = t.assignee_id
LEFT JOIN tickets_satisfactionrating sr ON sr.ticket_id = t.id
"""
_CLOCKS = """
SELECT ticket_id, name, target_minutes, calendar, due_at, stopped_at, paused_at, elapsed_minutes, elapsed_seconds,
       paused_minutes, breached, calendar_warning
FROM tickets_slaclock WHERE ticket_id = ANY(%s) ORDER BY id
"""

# (where, order, parameters) of each list, as the selectors have them (tickets.selectors.tickets).
LISTS = {
    "newest": ("TRUE", "t.reported_at DESC, t.id DESC"),
    "filtered": ("t.status = %(status)s AND t.severity = %(severity)s AND t.business_system_id = %(system)s",
                 "t.reported_at DESC, t.id DESC"),
    "unassigned": ("t.status = ANY(%(open)s) AND t.assignee_id IS NULL", "t.next_due_at ASC, t.reported_at ASC, t.id ASC"),
    "mine": ("t.status = ANY(%(open)s) AND t.assignee_id = %(user)s", "t.next_due_at ASC, t.reported_at ASC, t.id ASC"),
}


def _rows(cur, sql: str, params) -> list[dict]:
    cur.execute(sql, params)
    cols = [c.name for c in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def _count(cur, where: str, params) -> int:
    cur.execute(f"SELECT count(*) FROM (SELECT 1 FROM tickets_ticket t WHERE {where} LIMIT {COUNT_CAP + 1}) c", params)
    return cur.fetchone()[0]


def _clocks(cur, ids: list[int]) -> dict[int, list[dict]]:
    cur.execute(_CLOCKS, (ids,))
    cols = [c.name for c in cur.description][1:]
    out: dict[int, list[dict]] = {}
    for row in cur.fetchall():
        out.setdefault(row[0], []).append(dict(zip(cols, row[1:], strict=True)))
    return out


def api_list(conn, which: str, params: dict) -> str:
    """A page of the API list: count, 25 tickets as rows (the API's default, TicketRow), their clocks, as JSON."""
    where, order = LISTS[which]
    with conn.cursor() as cur:
        count = _count(cur, where, params)
        rows = _rows(cur, f"SELECT {_API_ROW_COLUMNS} {_ROW_FROM} WHERE {where} ORDER BY {order} LIMIT 25", params)
        clocks = _clocks(cur, [r["id"] for r in rows])
    for r in rows:
        r["sla"] = {c["name"]: c for c in clocks.get(r["id"], [])}
    return json.dumps({"count": count, "count_capped": count > COUNT_CAP, "next": None, "previous": None,
                       "results": rows}, default=str, ensure_ascii=False)


def _badge(c: dict) -> str:
    return (f'<span class="sla" data-sla-clock="{c["name"]}" data-target="{c["target_minutes"]}" '
            f'title="{c["due_at"]}">{c["name"]} {"breached" if c["breached"] else c["stopped_at"] or ""}</span>')


def page_rows(conn, which: str, params: dict) -> str:
    """A queue or list page's table: count and 25 rows with the columns a row shows and its clocks, as HTML."""
    where, order = LISTS[which]
    with conn.cursor() as cur:
        count = _count(cur, where, params)
        rows = _rows(cur, f"SELECT {_ROW_COLUMNS} {_ROW_FROM} WHERE {where} ORDER BY {order} LIMIT 25", params)
        clocks = _clocks(cur, [r["id"] for r in rows])
    out = [f"<p>{count}</p><table>"]
    for r in rows:
        badges = "".join(_badge(c) for c in clocks.get(r["id"], []))
        out.append(
            f'<tr><td><a href="/tickets/{r["id"]}/">{escape(r["number"])}</a></td><td>{escape(r["title"])}</td>'
            f'<td>{r["kind"]}</td><td>{r["severity"]}</td><td>{r["status"]}</td><td>{escape(r["system"])}</td>'
            f'<td>{escape(r["assignee"] or "")}</td><td>{r["reported_at"]:%Y-%m-%d %H:%M}</td><td>{badges}</td></tr>')
    out.append("</table>")
    return "".join(out)


def api_detail(conn, ticket_id: int) -> str:
    """One ticket with every field and its clocks, as JSON."""
    with conn.cursor() as cur:
        row = _rows(cur, f"SELECT {_TICKET_COLUMNS} {_TICKET_FROM} WHERE t.id = %s", (ticket_id,))[0]
        row["sla"] = {c["name"]: c for c in _clocks(cur, [ticket_id]).get(ticket_id, [])}
    return json.dumps(row, default=str, ensure_ascii=False)


def detail_page(conn, ticket_id: int) -> str:
    """The ticket page: the ticket with its organisation, service item, people, hosts, clocks, timeline
    (events with their actor), comments, attachments, outages and rating, as HTML."""
    with conn.cursor() as cur:
        t = _rows(cur, f"SELECT {_TICKET_COLUMNS}, o.name AS organization_name, si.item AS service_item_name "
                       f"{_TICKET_FROM} JOIN accounts_organization o ON o.id = t.organization_id "
                       "LEFT JOIN tickets_serviceitem si ON si.id = t.service_item_id WHERE t.id = %s", (ticket_id,))[0]
        clocks = _clocks(cur, [ticket_id]).get(ticket_id, [])
        hosts = _rows(cur, "SELECT h.name, h.ip_address FROM tickets_host h JOIN tickets_ticket_hosts th ON th.host_id = h.id "
                           "WHERE th.ticket_id = %s ORDER BY h.name", (ticket_id,))
        events = _rows(cur, "SELECT e.kind, e.at, e.from_status, e.to_status, e.note, u.real_name AS actor "
                            "FROM tickets_ticketevent e LEFT JOIN accounts_user u ON u.id = e.actor_id "
                            "WHERE e.ticket_id = %s ORDER BY e.at, e.id", (ticket_id,))
        comments = _rows(cur, "SELECT c.body, c.internal, c.created_at, u.real_name AS author FROM tickets_ticketcomment c "
                              "JOIN accounts_user u ON u.id = c.author_id WHERE c.ticket_id = %s ORDER BY c.created_at, c.id",
                         (ticket_id,))
        files = _rows(cur, "SELECT original_name, size, uploaded_at FROM tickets_ticketattachment WHERE ticket_id = %s "
                           "ORDER BY id", (ticket_id,))
        outages = _rows(cur, 'SELECT start, "end", claimed_planned FROM tickets_downtimerecord WHERE ticket_id = %s '
                             "ORDER BY start", (ticket_id,))
        rating = _rows(cur, "SELECT score, comment FROM tickets_satisfactionrating WHERE ticket_id = %s", (ticket_id,))
    out = [f"<h1>{escape(t['number'])} {escape(t['title'])}</h1><dl>"]
    out += [f"<dt>{k}</dt><dd>{escape(str(v))}</dd>" for k, v in t.items()]
    out.append("</dl>")
    out += [_badge(c) for c in clocks]
    out += [f"<li>{escape(h['name'])} {h['ip_address']}</li>" for h in hosts]
    out += [f"<li>{e['at']:%Y-%m-%d %H:%M} {escape(e['actor'] or '')} {e['kind']} {e['from_status']}→{e['to_status']} "
            f"{escape(e['note'])}</li>" for e in events]
    out += [f"<article>{escape(c['author'])} {c['created_at']:%Y-%m-%d %H:%M}<p>{escape(c['body'])}</p></article>"
            for c in comments]
    out += [f"<li>{escape(f['original_name'])} {f['size']}</li>" for f in files]
    out += [f"<li>{o['start']} – {o['end']}</li>" for o in outages]
    out += [f"<p>{r['score']} {escape(r['comment'])}</p>" for r in rating]
    return "".join(out)


def dashboard(conn, month_start, month_end, now) -> str:
    """The dashboard's month: the clock figures per clock name and kind (counted, met, missed), the
    ticket counts, the clocks at risk and the latest breaches with their tickets, as HTML."""
    with conn.cursor() as cur:
        figures = _rows(cur, """
            SELECT c.name, t.kind, count(*) AS counted, count(*) FILTER (WHERE NOT c.breached AND c.stopped_at IS NOT NULL) AS met,
                   count(*) FILTER (WHERE c.breached) AS missed
            FROM tickets_slaclock c JOIN tickets_ticket t ON t.id = c.ticket_id
            WHERE t.reported_at >= %s AND t.reported_at < %s AND t.status <> 'cancelled'
            GROUP BY 1, 2 ORDER BY 1, 2""", (month_start, month_end))
        tickets = _rows(cur, "SELECT kind, severity, count(*) AS n FROM tickets_ticket WHERE reported_at >= %s "
                             "AND reported_at < %s GROUP BY 1, 2 ORDER BY 1, 2", (month_start, month_end))
        at_risk = _rows(cur, """
            SELECT c.name, c.due_at, t.number, t.title, bs.name AS system FROM tickets_slaclock c
            JOIN tickets_ticket t ON t.id = c.ticket_id JOIN tickets_businesssystem bs ON bs.id = t.business_system_id
            WHERE c.stopped_at IS NULL AND c.paused_at IS NULL AND c.due_at IS NOT NULL AND c.due_at < %s + interval '4 hours'
            ORDER BY c.due_at LIMIT 20""", (now,))
        breaches = _rows(cur, """
            SELECT c.name, c.due_at, t.number, t.title, bs.name AS system, a.real_name AS assignee FROM tickets_slaclock c
            JOIN tickets_ticket t ON t.id = c.ticket_id JOIN tickets_businesssystem bs ON bs.id = t.business_system_id
            LEFT JOIN accounts_user a ON a.id = t.assignee_id
            WHERE t.reported_at >= %s AND t.reported_at < %s AND c.breached ORDER BY c.due_at DESC LIMIT 20""",
                        (month_start, month_end))
    out = ["<table>"]
    out += [f"<tr><td>{f['name']}</td><td>{f['kind']}</td><td>{f['counted']}</td><td>{f['met']}</td><td>{f['missed']}</td>"
            f"<td>{(100 * f['met'] / f['counted']) if f['counted'] else 0:.2f}%</td></tr>" for f in figures]
    out += [f"<tr><td>{t['kind']}</td><td>{t['severity']}</td><td>{t['n']}</td></tr>" for t in tickets]
    out += [f"<li>{escape(r['number'])} {escape(r['title'])} {escape(r['system'])} {r['name']} {r['due_at']}</li>"
            for r in at_risk + breaches]
    return "".join(out)
