"""The access-control matrix, written as data: every route × every role (× own/other organisation for
object routes) → the expected HTTP status. `test_permission_matrix.py` checks every cell and fails
when a URL pattern exists that no entry mentions.

To cover a new endpoint, add an `Entry`:

    Entry("api/v1/tickets/<int:pk>/", "GET", "/api/v1/tickets/{own_ticket}/",
          expect(STAFF_AND_OWN, other_requester=404, anonymous=403)),

- `route` is the URL pattern exactly as Django reports it (ResolverMatch.route); the test checks the
  path resolves to it, so an entry cannot silently test something else.
- `path` (and the text values of `data`) may hold {placeholders} filled from the `objects` fixture in
  test_permission_matrix.py (add yours in matrix_objects.py: own_* is the requester's organisation's
  object, other_* another purchaser's).
- `expect` maps every role in ROLES to a status; helpers below fill the common shapes.
- Another organisation's object answers 404, never 403.
"""

from dataclasses import dataclass, field

from .matrix_objects import REPORT_MONTH

ROLES = (
    "anonymous",
    "requester",
    "approver",
    "engineer",
    "tech_lead",
    "duty_leader",
    "project_manager",
    "auditor",
    "provider_auditor",
    "other_requester",
)
SIGNED_IN = tuple(r for r in ROLES if r != "anonymous")


def expect(default: int | None = None, **statuses: int) -> dict[str, int]:
    """expect(200, anonymous=403): every role `default` unless named.

    `auditor` is an auditor of the requester's purchaser (its 审计处): it reads that purchaser's records
    only, so another purchaser's object is a 404 to it. `provider_auditor` is the provider's quality
    auditor, who reads everything: unless named, it answers what the purchaser's auditor answers, which
    is right for every own-organisation object and every write (auditors write nothing)."""
    table = {role: default for role in ROLES}
    table.update(statuses)
    if "provider_auditor" not in statuses:
        table["provider_auditor"] = table["auditor"]
    missing = [r for r, s in table.items() if s is None]
    if missing:
        raise ValueError(f"no expected status for {missing}")
    return table


# Common shapes.
API_ANY_SIGNED_IN = expect(200, anonymous=403)  # DRF without credentials: 403 (session auth first)
PAGE_ANY_SIGNED_IN = expect(200, anonymous=302)  # pages redirect to the login page
AUDIT_API = expect(403, auditor=200, project_manager=200)
AUDIT_PAGE = expect(403, auditor=200, project_manager=200, anonymous=302)
PUBLIC = expect(200)

# Object routes: the requester's organisation's object (own) and another purchaser's (other).
API_OWN = expect(200, anonymous=403, other_requester=404)
API_OTHER = expect(200, anonymous=403, requester=404, approver=404, auditor=404, provider_auditor=200)
PAGE_OWN = expect(200, anonymous=302, other_requester=404)
PAGE_OTHER = expect(200, anonymous=302, requester=404, approver=404, auditor=404, provider_auditor=200)
# Provider-side surfaces (rosters, on-duty, duty logs): purchaser staff are refused, auditors read.
PROVIDER_API = expect(200, anonymous=403, requester=403, approver=403, other_requester=403)
PROVIDER_PAGE = expect(200, anonymous=302, requester=403, approver=403, other_requester=403)
# Utilisation: the PM and duty leaders act; an object of another purchaser is a 404 to the purchaser side.
MANAGE_UTILISATION = expect(403, anonymous=403, duty_leader=200, project_manager=200, other_requester=404)
MANAGE_UTILISATION_EMPTY = expect(403, duty_leader=400, project_manager=400)
MANAGE_UTILISATION_OTHER = expect(403, anonymous=403, duty_leader=200, project_manager=200, requester=404, approver=404)
# Reports and KPIs: the approver (customer-side leadership) reads its own organisation's; requesters never.
REPORT_API = expect(200, anonymous=403, requester=403, other_requester=403)
REPORT_PAGE = expect(200, anonymous=302, requester=403, other_requester=403)
REPORT_OTHER_API = expect(200, anonymous=403, requester=403, approver=404, auditor=404, provider_auditor=200, other_requester=403)
REPORT_OTHER_PAGE = expect(200, anonymous=302, requester=403, approver=404, auditor=404, provider_auditor=200, other_requester=403)
# The purchaser's own acts (receipt, assessment, closing an item): its approver only; everyone else 403,
# another purchaser's object 404 (to the other purchaser's approver too, who reads no other's reports).
def PURCHASER_ACTS_API(ok: int) -> dict[str, int]:
    return expect(403, approver=ok)


OTHER_PURCHASER_ACTS_API = expect(403, approver=404)  # auditors write nothing: 403 before any lookup
PURCHASER_ACTS_PAGE = expect(403, anonymous=302, approver=302)


@dataclass(frozen=True)
class Entry:
    route: str
    method: str
    path: str
    statuses: dict[str, int]
    data: dict = field(default_factory=dict)
    note: str = ""
    # Roles whose write may change data. Default: those expected to answer 2xx. A page answers 302 both
    # when it did the work and when it refused with a message, so page entries name their writers.
    writers: tuple[str, ...] | None = None

    def may_write(self) -> set[str]:
        if self.writers is not None:
            return set(self.writers)
        return {role for role, status in self.statuses.items() if 200 <= status < 300}


# Routes deliberately outside the matrix, with the reason (prefix match on the route).
EXEMPT = {
    "admin/": "Django admin: is_staff accounts only; checked by test_admin_is_for_staff_only",
}

MATRIX: list[Entry] = [
    # --- accounts pages -------------------------------------------------------------------------
    Entry("accounts/login/", "GET", "/accounts/login/", expect(302, anonymous=200), note="signed-in users are sent home"),
    Entry("accounts/logout/", "POST", "/accounts/logout/", expect(302)),
    Entry("accounts/password/", "GET", "/accounts/password/", PAGE_ANY_SIGNED_IN),
    Entry("accounts/password/done/", "GET", "/accounts/password/done/", PAGE_ANY_SIGNED_IN),
    Entry("accounts/profile/", "GET", "/accounts/profile/", PAGE_ANY_SIGNED_IN),
    Entry("i18n/setlang/", "POST", "/i18n/setlang/", expect(302), data={"language": "zh-hans", "next": "/"}),
    # --- core pages -----------------------------------------------------------------------------
    Entry("", "GET", "/", PAGE_ANY_SIGNED_IN),
    Entry("notifications/", "GET", "/notifications/", PAGE_ANY_SIGNED_IN),
    Entry("notifications/read-all/", "POST", "/notifications/read-all/", expect(302)),
    Entry("healthz", "GET", "/healthz", PUBLIC),
    Entry("audit-log/", "GET", "/audit-log/", AUDIT_PAGE),
    Entry("audit-log/login-attempts/", "GET", "/audit-log/login-attempts/", AUDIT_PAGE),
    Entry(
        "audit-log/login-attempts/<int:pk>/reset/", "POST", "/audit-log/login-attempts/{login_attempt}/reset/",
        expect(403, anonymous=302, project_manager=302), note="only the project manager unlocks", writers=("project_manager",),
    ),
    # --- tickets reference pages ----------------------------------------------------------------
    Entry("systems/", "GET", "/systems/", PAGE_ANY_SIGNED_IN),
    Entry("systems/<int:pk>/", "GET", "/systems/{own_system}/", expect(200, anonymous=302, other_requester=404)),
    Entry("systems/<int:pk>/", "GET", "/systems/{other_system}/", PAGE_OTHER),
    Entry("catalogue/", "GET", "/catalogue/", PAGE_ANY_SIGNED_IN),
    # --- API: accounts and core -----------------------------------------------------------------
    Entry("api/v1/auth/token/", "POST", "/api/v1/auth/token/", expect(400), note="empty credentials: 400 for anyone"),
    Entry("api/v1/users/me/", "GET", "/api/v1/users/me/", API_ANY_SIGNED_IN),
    Entry("api/v1/organizations/", "GET", "/api/v1/organizations/", API_ANY_SIGNED_IN),
    Entry("api/v1/notifications/", "GET", "/api/v1/notifications/", API_ANY_SIGNED_IN),
    Entry("api/v1/notifications/read/", "POST", "/api/v1/notifications/read/", API_ANY_SIGNED_IN),
    Entry("api/v1/audit-log/", "GET", "/api/v1/audit-log/", AUDIT_API),
    Entry("api/v1/audit-log/login-attempts/", "GET", "/api/v1/audit-log/login-attempts/", AUDIT_API),
    Entry("api/v1/schema/", "GET", "/api/v1/schema/", PUBLIC, note="the API description is public (no data)"),
    Entry("api/v1/docs/", "GET", "/api/v1/docs/", PUBLIC),
    # --- API: tickets reference data ------------------------------------------------------------
    Entry("api/v1/contracts/", "GET", "/api/v1/contracts/", API_ANY_SIGNED_IN),
    Entry("api/v1/service-items/", "GET", "/api/v1/service-items/", API_ANY_SIGNED_IN),
    Entry("api/v1/business-systems/", "GET", "/api/v1/business-systems/", API_ANY_SIGNED_IN),
    Entry("api/v1/business-systems/<int:pk>/", "GET", "/api/v1/business-systems/{own_system}/", expect(200, anonymous=403, other_requester=404)),
    Entry("api/v1/business-systems/<int:pk>/", "GET", "/api/v1/business-systems/{other_system}/", API_OTHER),
    Entry("api/v1/hosts/", "GET", "/api/v1/hosts/", API_ANY_SIGNED_IN),
    Entry("api/v1/hosts/<int:pk>/", "GET", "/api/v1/hosts/{own_host}/", expect(200, anonymous=403, other_requester=404)),
    Entry("api/v1/hosts/<int:pk>/", "GET", "/api/v1/hosts/{other_host}/", API_OTHER),
]

# Lists whose rows must stay inside the tenant: route → (path, own placeholder, other placeholder).
# The requester sees the own object and not the other; the other purchaser the reverse; provider
# staff and auditors both.
TENANT_LISTS = {
    "api/v1/business-systems/": ("/api/v1/business-systems/", "own_system", "other_system"),
    "api/v1/hosts/": ("/api/v1/hosts/", "own_host", "other_host"),
    "api/v1/backup-policies/": ("/api/v1/backup-policies/", "own_backup_policy", "other_backup_policy"),
    "api/v1/exclusions/": ("/api/v1/exclusions/", "own_exclusion", "other_exclusion"),
    "api/v1/integrations/": ("/api/v1/integrations/", "own_integration", "other_integration"),
    "api/v1/alerts/": ("/api/v1/alerts/", "own_alert", "other_alert"),
}

# --- everything the apps added (issue 8, second pass) ----------------------------------------------
# Writes are sent with an empty or minimal body: a role that may act answers 200/201 or 400 (its input
# is checked only after access is granted), 409 where the object's state forbids the move; a role that
# may not answers 403, or 404 for another organisation's object. Every write is rolled back after each
# role, and the test asserts that a refused write changed nothing (no audit entry).
W_PROVIDER = expect(400, anonymous=403, requester=403, approver=403, other_requester=403, auditor=403)
# Manager-only creates whose body is checked before the service's role check: a refused role answers
# 400 to an empty body (and 403 to a valid one); the test asserts it wrote nothing. Auditors: 403.
W_MANAGER_FORM = expect(400, anonymous=403, auditor=403)
TICKET_ACTION = dict(anonymous=403, auditor=403, other_requester=404)
ACTION_DATA = {"reason": "矩阵测试", "resolution": "矩阵测试", "note": "矩阵测试"}
ACTORS = ("requester", "approver", "engineer", "tech_lead", "duty_leader", "project_manager")


def every_actor(status: int) -> dict[str, int]:
    """The same status for every role that may act on an object: 409 where its state refuses the action, 400
    where the body is checked before the role."""
    return dict.fromkeys(ACTORS, status)


MATRIX += [
    # --- tickets API ----------------------------------------------------------------------------
    Entry("api/v1/tickets/", "GET", "/api/v1/tickets/", API_ANY_SIGNED_IN),
    Entry("api/v1/tickets/", "POST", "/api/v1/tickets/", expect(400, anonymous=403, auditor=403)),
    Entry("api/v1/tickets/export.<slug:fmt>", "GET", "/api/v1/tickets/export.csv?queue=open", API_ANY_SIGNED_IN),
    Entry("api/v1/ticket-views/", "GET", "/api/v1/ticket-views/", API_ANY_SIGNED_IN),
    Entry("api/v1/ticket-views/", "POST", "/api/v1/ticket-views/", expect(201, anonymous=403),
          data={"name": "矩阵视图", "query": "kind=fault"}),
    Entry("api/v1/ticket-views/<int:pk>/", "GET", "/api/v1/ticket-views/{duty_leader_view}/", expect(404, anonymous=403, duty_leader=200)),
    Entry("api/v1/ticket-views/<int:pk>/", "PATCH", "/api/v1/ticket-views/{duty_leader_view}/",
          expect(404, anonymous=403, duty_leader=200), data={"name": "改名"}),
    Entry("api/v1/ticket-views/<int:pk>/", "DELETE", "/api/v1/ticket-views/{duty_leader_view}/",
          expect(404, anonymous=403, duty_leader=204)),
    Entry("api/v1/tickets/bulk/", "POST", "/api/v1/tickets/bulk/", expect(403, duty_leader=200, project_manager=200),
          data={"action": "comment", "tickets": "{own_ticket}", "body": "矩阵批量评论"}),
    Entry("api/v1/tickets/export.<slug:fmt>", "GET", "/api/v1/tickets/export.xlsx?severity=P9",
          expect(400, anonymous=403), note="invalid filter: 400 with the field"),
    Entry("api/v1/tickets/<int:pk>/", "GET", "/api/v1/tickets/{own_ticket}/", API_OWN),
    Entry("api/v1/tickets/<int:pk>/", "GET", "/api/v1/tickets/{other_ticket}/", API_OTHER),
    Entry("api/v1/tickets/<int:pk>/", "PATCH", "/api/v1/tickets/{own_ticket}/",
          expect(200, anonymous=403, auditor=403, other_requester=404), data={"title": "改标题"}),
    Entry("api/v1/tickets/<int:pk>/", "PATCH", "/api/v1/tickets/{other_ticket}/",
          expect(200, anonymous=403, auditor=403, requester=404, approver=404), data={"title": "改标题"}),
    # A new ticket: provider staff acknowledge/claim it (200); moves its state forbids answer 409; the
    # requester's organisation may cancel its own ticket; a role without the action answers 403.
    *[
        Entry(f"api/v1/tickets/<int:pk>/{action}/", "POST", f"/api/v1/tickets/{{own_ticket}}/{action}/",
              expect(**statuses, **TICKET_ACTION), data=ACTION_DATA)
        for action, statuses in {
            "acknowledge": dict(requester=403, approver=403, engineer=200, tech_lead=200, duty_leader=200, project_manager=200),
            "claim": dict(requester=403, approver=403, engineer=200, tech_lead=200, duty_leader=200, project_manager=200),
            "assign": every_actor(400),
            # The purchaser's own cancellation takes effect (200); the provider's only asks the purchaser:
            # an Exclusion waiting for its approver (tickets.services.exclusions), answered 202.
            "cancel": dict(requester=200, approver=200, engineer=403, tech_lead=403, duty_leader=202, project_manager=202),
            "close": dict(requester=409, approver=409, engineer=403, tech_lead=403, duty_leader=409, project_manager=409),
            "locate": dict(requester=403, approver=403, engineer=409, tech_lead=409, duty_leader=409, project_manager=409),
            # Issue 15 item 9: the purchaser's approver classifies a fault as a major incident at once (200); the
            # project manager's proposal waits for that approver (202).
            "mark-major": dict(requester=403, approver=200, engineer=403, tech_lead=403, duty_leader=403, project_manager=202),
            "pend": dict(requester=403, approver=403, engineer=409, tech_lead=409, duty_leader=409, project_manager=409),
            "reopen": every_actor(409),
            "resolve": dict(requester=403, approver=403, engineer=409, tech_lead=409, duty_leader=409, project_manager=409),
            "resume": every_actor(409),
            "start": dict(requester=403, approver=403, engineer=409, tech_lead=409, duty_leader=409, project_manager=409),
        }.items()
    ],
    Entry("api/v1/tickets/<int:pk>/acknowledge/", "POST", "/api/v1/tickets/{other_ticket}/acknowledge/",
          expect(200, anonymous=403, requester=404, approver=404, auditor=403, other_requester=403)),
    Entry("api/v1/tickets/<int:pk>/comments/", "GET", "/api/v1/tickets/{own_ticket}/comments/", API_OWN),
    Entry("api/v1/tickets/<int:pk>/comments/", "GET", "/api/v1/tickets/{other_ticket}/comments/", API_OTHER),
    Entry("api/v1/tickets/<int:pk>/comments/", "POST", "/api/v1/tickets/{own_ticket}/comments/",
          expect(201, anonymous=403, auditor=403, other_requester=404), data={"body": "矩阵评论"}),
    Entry("api/v1/tickets/<int:pk>/comments/", "POST", "/api/v1/tickets/{other_ticket}/comments/",
          expect(201, anonymous=403, auditor=403, requester=404, approver=404), data={"body": "矩阵评论"}),
    Entry("api/v1/tickets/<int:pk>/attachments/", "GET", "/api/v1/tickets/{own_ticket}/attachments/", API_OWN),
    Entry("api/v1/tickets/<int:pk>/attachments/", "GET", "/api/v1/tickets/{other_ticket}/attachments/", API_OTHER),
    Entry("api/v1/tickets/<int:pk>/attachments/", "POST", "/api/v1/tickets/{own_ticket}/attachments/",
          expect(400, anonymous=403, auditor=403, other_requester=404)),
    Entry("api/v1/tickets/<int:pk>/attachments/<int:attachment_id>/download/", "GET",
          "/api/v1/tickets/{own_ticket}/attachments/{own_attachment}/download/", API_OWN),
    Entry("api/v1/tickets/<int:pk>/attachments/<int:attachment_id>/download/", "GET",
          "/api/v1/tickets/{other_ticket}/attachments/{other_attachment}/download/", API_OTHER),
    Entry("api/v1/tickets/<int:pk>/attachments/<int:attachment_id>/download/", "GET",
          "/api/v1/tickets/{own_ticket}/attachments/{other_attachment}/download/",
          expect(404, anonymous=403), note="another ticket's attachment through this ticket's URL"),
    Entry("api/v1/tickets/<int:pk>/events/", "GET", "/api/v1/tickets/{own_ticket}/events/", API_OWN),
    Entry("api/v1/tickets/<int:pk>/events/", "GET", "/api/v1/tickets/{other_ticket}/events/", API_OTHER),
    Entry("api/v1/tickets/<int:pk>/satisfaction/", "GET", "/api/v1/tickets/{own_rated_ticket}/satisfaction/", API_OWN),
    Entry("api/v1/tickets/<int:pk>/satisfaction/", "GET", "/api/v1/tickets/{other_rated_ticket}/satisfaction/", API_OTHER),
    Entry("api/v1/tickets/<int:pk>/satisfaction/", "GET", "/api/v1/tickets/{own_ticket}/satisfaction/",
          expect(404, anonymous=403), note="not rated yet"),
    Entry("api/v1/tickets/<int:pk>/satisfaction/", "POST", "/api/v1/tickets/{own_ticket}/satisfaction/",
          expect(403, requester=409, approver=409, other_requester=404), data={"score": 5}, note="not resolved yet"),
    Entry("api/v1/tickets/<int:pk>/downtime/", "GET", "/api/v1/tickets/{own_ticket}/downtime/", API_OWN),
    Entry("api/v1/tickets/<int:pk>/downtime/", "GET", "/api/v1/tickets/{other_ticket}/downtime/", API_OTHER),
    Entry("api/v1/tickets/<int:pk>/downtime/", "POST", "/api/v1/tickets/{own_ticket}/downtime/",
          expect(201, anonymous=403, requester=403, approver=403, auditor=403, other_requester=404)),
    Entry("api/v1/tickets/<int:pk>/downtime/<int:record_id>/", "PATCH",
          "/api/v1/tickets/{own_ticket}/downtime/{own_downtime}/",
          expect(400, anonymous=403, auditor=403, other_requester=404)),
    Entry("api/v1/tickets/<int:pk>/downtime/<int:record_id>/", "PATCH",
          "/api/v1/tickets/{other_ticket}/downtime/{other_downtime}/",
          expect(400, anonymous=403, requester=404, approver=404, auditor=403)),
    # Requesters are refused every report with 403 whatever the id (so the status tells nothing).
    Entry("api/v1/tickets/<int:pk>/downtime-report.pdf", "GET", "/api/v1/tickets/{own_p1_ticket}/downtime-report.pdf",
          expect(200, anonymous=403, requester=403, other_requester=403)),
    Entry("api/v1/tickets/<int:pk>/downtime-report.pdf", "GET", "/api/v1/tickets/{other_p1_ticket}/downtime-report.pdf",
          REPORT_OTHER_API),
    Entry("api/v1/tickets/<int:pk>/downtime-report.pdf", "GET", "/api/v1/tickets/{own_ticket}/downtime-report.pdf",
          expect(404, anonymous=403, requester=403, other_requester=403), note="not a P1: no downtime report"),
    Entry("api/v1/sla-policies/", "GET", "/api/v1/sla-policies/", API_ANY_SIGNED_IN),
    Entry("api/v1/sla-policies/", "POST", "/api/v1/sla-policies/", W_MANAGER_FORM),
    Entry("api/v1/sla-policies/<int:pk>/", "GET", "/api/v1/sla-policies/{sla_policy}/", API_ANY_SIGNED_IN),
    Entry("api/v1/sla-policies/<int:pk>/", "PATCH", "/api/v1/sla-policies/{sla_policy}/",
          expect(403, project_manager=200), data={"response_minutes": 15}),
    Entry("api/v1/satisfaction-follow-ups/", "GET", "/api/v1/satisfaction-follow-ups/",
          API_ANY_SIGNED_IN, note="purchaser staff get an empty list"),
    Entry("api/v1/satisfaction-follow-ups/<int:pk>/close/", "POST", "/api/v1/satisfaction-follow-ups/{own_follow_up}/close/",
          expect(403, project_manager=200, requester=404, approver=404, other_requester=404), data={"note": "已回访"}),
    Entry("api/v1/calendar-days/", "GET", "/api/v1/calendar-days/?year=2026", API_ANY_SIGNED_IN),
    Entry("api/v1/calendar-days/years/", "POST", "/api/v1/calendar-days/years/", expect(403, duty_leader=400, project_manager=400)),
    Entry("api/v1/calendar-days/import/", "POST", "/api/v1/calendar-days/import/", expect(403, duty_leader=400, project_manager=400)),
    Entry("api/v1/calendar-days/history/", "GET", "/api/v1/calendar-days/history/?year=2026", API_ANY_SIGNED_IN),
    # --- changes API ----------------------------------------------------------------------------
    Entry("api/v1/changes/", "GET", "/api/v1/changes/", API_ANY_SIGNED_IN),
    Entry("api/v1/changes/", "POST", "/api/v1/changes/", expect(201, anonymous=403, approver=403, auditor=403),
          note="requesters may draft changes too"),
    Entry("api/v1/changes/<int:pk>/", "GET", "/api/v1/changes/{own_change}/", API_OWN),
    Entry("api/v1/changes/<int:pk>/", "GET", "/api/v1/changes/{other_change}/", API_OTHER),
    Entry("api/v1/changes/<int:pk>/", "PATCH", "/api/v1/changes/{own_change}/",
          expect(403, engineer=200, other_requester=404), data={"title": "改"}, note="a draft is its author's"),
    *[
        Entry(f"api/v1/changes/<int:pk>/{action}/", "POST", f"/api/v1/changes/{{own_change}}/{action}/",
              expect(**statuses, anonymous=403, auditor=403, other_requester=404), data=ACTION_DATA)
        for action, statuses in {
            "submit": dict(requester=403, approver=403, engineer=200, tech_lead=403, duty_leader=403, project_manager=403),
            "approve": every_actor(409),
            "reject": every_actor(409),
            "start": every_actor(409),
            "complete": every_actor(400),
            "review": every_actor(400),
            "cancel": dict(requester=403, approver=403, engineer=200, tech_lead=403, duty_leader=403, project_manager=200),
        }.items()
    ],
    Entry("api/v1/changes/<int:pk>/submit/", "POST", "/api/v1/changes/{other_change}/submit/",
          expect(403, engineer=200, requester=404, approver=404)),
    Entry("api/v1/change-templates/", "GET", "/api/v1/change-templates/", API_ANY_SIGNED_IN),
    Entry("api/v1/change-templates/<int:pk>/", "GET", "/api/v1/change-templates/{change_template}/", API_ANY_SIGNED_IN),
    # --- roster API -----------------------------------------------------------------------------
    Entry("api/v1/roster/periods/", "GET", "/api/v1/roster/periods/", API_ANY_SIGNED_IN),
    Entry("api/v1/roster/periods/", "POST", "/api/v1/roster/periods/", W_MANAGER_FORM),
    Entry("api/v1/roster/periods/propose/", "POST", "/api/v1/roster/periods/propose/", W_MANAGER_FORM),
    Entry("api/v1/roster/periods/<int:pk>/", "GET", "/api/v1/roster/periods/{period}/", API_ANY_SIGNED_IN),
    Entry("api/v1/roster/periods/<int:pk>/", "PATCH", "/api/v1/roster/periods/{period}/",
          expect(403, duty_leader=200, project_manager=200), data={"notes": "改"}),
    Entry("api/v1/roster/periods/<int:pk>/", "DELETE", "/api/v1/roster/periods/{period}/",
          expect(403, duty_leader=204, project_manager=204)),
    Entry("api/v1/roster/rosters/", "GET", "/api/v1/roster/rosters/", PROVIDER_API),
    Entry("api/v1/roster/rosters/", "POST", "/api/v1/roster/rosters/", W_MANAGER_FORM),
    Entry("api/v1/roster/rosters/<int:pk>/", "GET", "/api/v1/roster/rosters/{roster}/", PROVIDER_API),
    Entry("api/v1/roster/rosters/<int:pk>/generate/", "POST", "/api/v1/roster/rosters/{roster}/generate/", expect(403, duty_leader=409, project_manager=409)),
    Entry("api/v1/roster/rosters/<int:pk>/publish/", "POST", "/api/v1/roster/rosters/{roster}/publish/", expect(403, duty_leader=409, project_manager=409)),
    Entry("api/v1/roster/rosters/<int:pk>/edit/", "POST", "/api/v1/roster/rosters/{roster}/edit/", expect(400, anonymous=403, requester=403, approver=403, auditor=403, other_requester=403)),
    Entry("api/v1/roster/rosters/<int:pk>/versions/", "GET", "/api/v1/roster/rosters/{roster}/versions/", PROVIDER_API),
    Entry("api/v1/roster/rosters/<int:pk>/fairness/", "GET", "/api/v1/roster/rosters/{roster}/fairness/", PROVIDER_API),
    Entry("api/v1/roster/rosters/<int:pk>/feed-token/", "POST", "/api/v1/roster/rosters/{roster}/feed-token/", expect(403, duty_leader=200, project_manager=200)),
    Entry("api/v1/roster/shifts/", "GET", "/api/v1/roster/shifts/", PROVIDER_API),
    Entry("api/v1/roster/assignments/", "GET", "/api/v1/roster/assignments/", PROVIDER_API),
    Entry("api/v1/roster/assignments/<int:pk>/", "GET", "/api/v1/roster/assignments/{assignment}/", PROVIDER_API),
    Entry("api/v1/roster/assignments/<int:pk>/", "PATCH", "/api/v1/roster/assignments/{assignment}/", expect(400, anonymous=403, requester=403, approver=403, auditor=403, other_requester=403)),
    Entry("api/v1/roster/members/", "GET", "/api/v1/roster/members/", PROVIDER_API),
    Entry("api/v1/roster/on-duty/", "GET", "/api/v1/roster/on-duty/", PROVIDER_API),
    Entry("api/v1/roster/swaps/", "GET", "/api/v1/roster/swaps/", PROVIDER_API),
    Entry("api/v1/roster/swaps/", "POST", "/api/v1/roster/swaps/", W_PROVIDER),
    # A pending swap asked by the engineer of the engineer2: only the counterpart answers it, only the
    # asker cancels it, the managers reject (approval comes after acceptance: 409); others never see it.
    *[
        Entry("api/v1/roster/swaps/<int:pk>/<str:action>/", "POST", f"/api/v1/roster/swaps/{{swap}}/{action}/",
              expect(403, tech_lead=404, **statuses))
        for action, statuses in {
            "accept": {}, "decline": {}, "approve": dict(duty_leader=409, project_manager=409),
            "reject": dict(duty_leader=200, project_manager=200), "cancel": dict(engineer=200),
        }.items()
    ],
    Entry("api/v1/roster/duty-logs/", "GET", "/api/v1/roster/duty-logs/", PROVIDER_API),
    Entry("api/v1/roster/duty-logs/", "POST", "/api/v1/roster/duty-logs/", W_PROVIDER),
    Entry("api/v1/roster/duty-reports/", "GET", "/api/v1/roster/duty-reports/", PROVIDER_API),
    Entry("api/v1/roster/duty-reports/", "POST", "/api/v1/roster/duty-reports/", W_PROVIDER),
    Entry("api/v1/roster/handovers/", "GET", "/api/v1/roster/handovers/", PROVIDER_API),
    Entry("api/v1/roster/handovers/", "POST", "/api/v1/roster/handovers/", W_PROVIDER),
    Entry("api/v1/roster/handovers/<int:pk>/sign/", "POST", "/api/v1/roster/handovers/{handover}/sign/",
          expect(403, project_manager=200), note="the outgoing person (here the duty leader) cannot sign their own"),
    # --- reports API ----------------------------------------------------------------------------
    Entry("api/v1/reports/kpis/", "GET", f"/api/v1/reports/kpis/?month={REPORT_MONTH}", REPORT_API),
    Entry("api/v1/reports/monthly/", "GET", "/api/v1/reports/monthly/", REPORT_API),
    Entry("api/v1/reports/monthly/", "POST", "/api/v1/reports/monthly/", W_MANAGER_FORM),
    Entry("api/v1/reports/monthly/<int:pk>/", "GET", "/api/v1/reports/monthly/{own_report}/", REPORT_API),
    Entry("api/v1/reports/monthly/<int:pk>/", "GET", "/api/v1/reports/monthly/{other_report}/", REPORT_OTHER_API),
    Entry("api/v1/reports/monthly/<int:pk>/download/", "GET", "/api/v1/reports/monthly/{own_report}/download/", REPORT_API),
    Entry("api/v1/reports/monthly/<int:pk>/download/", "GET", "/api/v1/reports/monthly/{other_report}/download/", REPORT_OTHER_API),
    Entry("api/v1/reports/monthly/<int:pk>/issue/", "POST", "/api/v1/reports/monthly/{own_report}/issue/", expect(403, project_manager=409), note="already issued"),
    Entry("api/v1/reports/packages/", "GET", "/api/v1/reports/packages/", REPORT_API),
    Entry("api/v1/reports/packages/", "POST", "/api/v1/reports/packages/", W_MANAGER_FORM),
    Entry("api/v1/reports/packages/<int:pk>/", "GET", "/api/v1/reports/packages/{own_package}/", REPORT_API),
    Entry("api/v1/reports/packages/<int:pk>/", "GET", "/api/v1/reports/packages/{other_package}/", REPORT_OTHER_API),
    Entry("api/v1/reports/packages/<int:pk>/download/", "GET", "/api/v1/reports/packages/{own_package}/download/", REPORT_API),
    Entry("api/v1/reports/packages/<int:pk>/download/", "GET", "/api/v1/reports/packages/{other_package}/download/", REPORT_OTHER_API),
    # The purchaser's assessment (issue 18): receipt and assessment by the owning purchaser's approver only;
    # items answered by their owner (the engineer) or the PM, closed or returned by that approver.
    Entry("api/v1/reports/assessments/", "GET", "/api/v1/reports/assessments/", REPORT_API),
    Entry("api/v1/reports/assessments/", "POST", "/api/v1/reports/assessments/", PURCHASER_ACTS_API(201),
          data={"package": "{own_receivable_package}"}),
    Entry("api/v1/reports/assessments/<int:pk>/", "GET", "/api/v1/reports/assessments/{own_assessment}/", REPORT_API),
    Entry("api/v1/reports/assessments/<int:pk>/", "GET", "/api/v1/reports/assessments/{other_assessment}/", REPORT_OTHER_API),
    Entry("api/v1/reports/assessments/<int:pk>/assess/", "POST", "/api/v1/reports/assessments/{own_assessment}/assess/",
          PURCHASER_ACTS_API(200), data={"verdict": "pass"}),
    Entry("api/v1/reports/assessments/<int:pk>/assess/", "POST", "/api/v1/reports/assessments/{other_assessment}/assess/",
          OTHER_PURCHASER_ACTS_API, data={"verdict": "pass"}),
    Entry("api/v1/reports/assessments/<int:pk>/opinion.pdf", "GET", "/api/v1/reports/assessments/{own_final}/opinion.pdf", REPORT_API),
    Entry("api/v1/reports/remediation-items/", "GET", "/api/v1/reports/remediation-items/", REPORT_API),
    Entry("api/v1/reports/remediation-items/<int:pk>/", "GET", "/api/v1/reports/remediation-items/{own_item}/", REPORT_API),
    Entry("api/v1/reports/remediation-items/<int:pk>/", "GET", "/api/v1/reports/remediation-items/{other_item}/", REPORT_OTHER_API),
    Entry("api/v1/reports/remediation-items/<int:pk>/answer/", "POST", "/api/v1/reports/remediation-items/{own_item}/answer/",
          expect(403, engineer=409, project_manager=409), data={"text": "再次答复"}, note="already answered: waits for the purchaser"),
    Entry("api/v1/reports/remediation-items/<int:pk>/answer/", "POST", "/api/v1/reports/remediation-items/{other_item}/answer/",
          expect(403, engineer=409, project_manager=409, approver=404), data={"text": "再次答复"}),
    Entry("api/v1/reports/remediation-items/<int:pk>/close/", "POST", "/api/v1/reports/remediation-items/{own_item}/close/",
          PURCHASER_ACTS_API(200)),
    Entry("api/v1/reports/remediation-items/<int:pk>/close/", "POST", "/api/v1/reports/remediation-items/{other_item}/close/",
          OTHER_PURCHASER_ACTS_API),
    Entry("api/v1/reports/remediation-items/<int:pk>/return/", "POST", "/api/v1/reports/remediation-items/{own_item}/return/",
          PURCHASER_ACTS_API(200), data={"reason": "证据不足"}),
    Entry("api/v1/reports/remediation-items/<int:pk>/attachments/<int:attachment_id>/", "GET",
          "/api/v1/reports/remediation-items/{own_item}/attachments/{own_item_attachment}/", REPORT_API),
    Entry("api/v1/reports/remediation-items/<int:pk>/attachments/<int:attachment_id>/", "GET",
          "/api/v1/reports/remediation-items/{other_item}/attachments/{other_item_attachment}/", REPORT_OTHER_API),
    # --- ticket and change pages ----------------------------------------------------------------
    Entry("tickets/", "GET", "/tickets/", PAGE_ANY_SIGNED_IN),
    # Issue 19 item 10: the export holds what the list shows the user (tests/tickets/test_export.py).
    Entry("tickets/export.<slug:fmt>", "GET", "/tickets/export.csv?kind=fault", PAGE_ANY_SIGNED_IN),
    Entry("tickets/export.<slug:fmt>", "GET", "/tickets/export.xlsx", PAGE_ANY_SIGNED_IN),
    # Saved views (issue 19 item 10): everyone keeps their own, auditors too; another's is a 404.
    Entry("tickets/views/", "POST", "/tickets/views/", expect(302), data={"name": "矩阵视图", "query": "kind=fault",
          "next": "/tickets/"}, writers=SIGNED_IN),
    Entry("tickets/views/<int:pk>/", "POST", "/tickets/views/{duty_leader_view}/", expect(404, anonymous=302, duty_leader=302),
          data={"name": "改名"}, writers=("duty_leader",)),
    Entry("tickets/views/<int:pk>/delete/", "POST", "/tickets/views/{duty_leader_view}/delete/",
          expect(404, anonymous=302, duty_leader=302), writers=("duty_leader",)),
    Entry("tickets/bulk/", "POST", "/tickets/bulk/", expect(403, anonymous=302, duty_leader=302, project_manager=302),
          data={"action": "comment", "tickets": "{own_ticket}", "body": "矩阵批量评论", "next": "/tickets/"},
          writers=("duty_leader", "project_manager"), note="bulk assign / comment: the duty leader and the PM"),
    Entry("tickets/new/", "GET", "/tickets/new/", expect(403, anonymous=302, requester=200, approver=200, other_requester=200),
          note="provider staff take tickets in through tickets/intake/"),
    Entry("tickets/intake/", "GET", "/tickets/intake/", expect(200, anonymous=302, requester=403, approver=403, auditor=403, other_requester=403)),
    Entry("tickets/queue/", "GET", "/tickets/queue/", PROVIDER_PAGE),
    Entry("tickets/queue/<slug:queue>/", "GET", "/tickets/queue/mine/", PROVIDER_PAGE),
    Entry("tickets/<int:pk>/", "GET", "/tickets/{own_ticket}/", PAGE_OWN),
    Entry("tickets/<int:pk>/", "GET", "/tickets/{other_ticket}/", PAGE_OTHER),
    Entry("tickets/<int:pk>/do/<slug:action>/", "POST", "/tickets/{own_ticket}/do/claim/",
          expect(302, requester=403, approver=403, auditor=403, other_requester=404),
          writers=("engineer", "tech_lead", "duty_leader", "project_manager")),
    Entry("tickets/<int:pk>/do/<slug:action>/", "POST", "/tickets/{other_ticket}/do/comment/",
          expect(302, auditor=404, provider_auditor=403, requester=404, approver=404), data={"body": "矩阵评论"},
          writers=("engineer", "tech_lead", "duty_leader", "project_manager", "other_requester")),
    Entry("tickets/<int:pk>/attachments/<int:attachment_id>/download/", "GET",
          "/tickets/{own_ticket}/attachments/{own_attachment}/download/", PAGE_OWN),
    Entry("tickets/<int:pk>/attachments/<int:attachment_id>/download/", "GET",
          "/tickets/{other_ticket}/attachments/{other_attachment}/download/", PAGE_OTHER),
    Entry("changes/", "GET", "/changes/", PAGE_ANY_SIGNED_IN),
    Entry("changes/new/", "GET", "/changes/new/", expect(200, anonymous=302, approver=403, auditor=403)),
    Entry("changes/calendar/", "GET", "/changes/calendar/", PAGE_ANY_SIGNED_IN),
    Entry("changes/inbox/", "GET", "/changes/inbox/", PAGE_ANY_SIGNED_IN),
    Entry("changes/<int:pk>/", "GET", "/changes/{own_change}/", PAGE_OWN),
    Entry("changes/<int:pk>/", "GET", "/changes/{other_change}/", PAGE_OTHER),
    Entry("changes/<int:pk>/edit/", "GET", "/changes/{own_change}/edit/",
          expect(302, engineer=200, other_requester=404), note="not the author: sent back to the change"),
    Entry("changes/<int:pk>/<slug:action>/", "POST", "/changes/{own_change}/submit/", expect(302, other_requester=404),
          note="a refused action is shown as a message on the change page; the test asserts nothing was written",
          writers=("engineer",)),
    # --- roster pages and iCal feeds ------------------------------------------------------------
    Entry("roster/calendar/", "GET", "/roster/calendar/?year=2026", PAGE_ANY_SIGNED_IN),
    Entry("roster/calendar/", "POST", "/roster/calendar/", expect(403, anonymous=302, duty_leader=200, project_manager=200)),
    Entry("roster/calendar/template.csv", "GET", "/roster/calendar/template.csv", PAGE_ANY_SIGNED_IN),
    Entry("roster/periods/", "GET", "/roster/periods/", PAGE_ANY_SIGNED_IN),
    Entry("roster/periods/<int:pk>/", "GET", "/roster/periods/{period}/", expect(403, anonymous=302, duty_leader=200, project_manager=200)),
    Entry("roster/rosters/", "GET", "/roster/rosters/", PROVIDER_PAGE),
    Entry("roster/rosters/new/", "GET", "/roster/rosters/new/", expect(403, anonymous=302, duty_leader=200, project_manager=200)),
    Entry("roster/rosters/<int:pk>/", "GET", "/roster/rosters/{roster}/", PROVIDER_PAGE),
    Entry("roster/rosters/<int:pk>/do/<str:action>/", "POST", "/roster/rosters/{roster}/do/feed/",
          expect(403, anonymous=302, duty_leader=302, project_manager=302), writers=("duty_leader", "project_manager")),
    Entry("roster/rosters/<int:pk>/roster.csv", "GET", "/roster/rosters/{roster}/roster.csv", PROVIDER_PAGE),
    Entry("roster/rosters/<int:pk>/roster.pdf", "GET", "/roster/rosters/{roster}/roster.pdf", PROVIDER_PAGE),
    Entry("roster/mine/", "GET", "/roster/mine/", PROVIDER_PAGE),
    Entry("roster/swaps/", "GET", "/roster/swaps/", PROVIDER_PAGE),
    Entry("roster/swaps/new/", "GET", "/roster/swaps/new/", expect(404, anonymous=302, requester=403, approver=403, other_requester=403),
          note="without an own seat (?assignment=) there is nothing to swap"),
    Entry("roster/log/", "GET", "/roster/log/", PROVIDER_PAGE),
    Entry("roster/handover/", "GET", "/roster/handover/", PROVIDER_PAGE),
    Entry("roster/on-duty/", "GET", "/roster/on-duty/", PROVIDER_PAGE),
    Entry("roster/feeds/roster/<str:token>.ics", "GET", "/roster/feeds/roster/{roster_token}.ics", PUBLIC,
          note="the secret URL is the credential: no login"),
    Entry("roster/feeds/roster/<str:token>.ics", "GET", "/roster/feeds/roster/{revoked_roster_token}.ics", expect(404)),
    Entry("roster/feeds/roster/<str:token>.ics", "GET", "/roster/feeds/roster/not-a-token.ics", expect(404)),
    Entry("roster/feeds/member/<str:token>.ics", "GET", "/roster/feeds/member/{member_token}.ics", PUBLIC),
    Entry("roster/feeds/member/<str:token>.ics", "GET", "/roster/feeds/member/{revoked_member_token}.ics", expect(404)),
    Entry("roster/feeds/member/<str:token>.ics", "GET", "/roster/feeds/member/{roster_token}.ics", expect(404),
          note="a roster token is not a member token"),
    # --- reports pages --------------------------------------------------------------------------
    Entry("reports/", "GET", "/reports/", REPORT_PAGE),
    Entry("reports/monthly/", "GET", "/reports/monthly/", REPORT_PAGE),
    Entry("reports/monthly/generate/", "POST", "/reports/monthly/generate/", expect(403, anonymous=302, duty_leader=200, project_manager=200),
          note="generating is the managers'; sent empty, the page again with the form's messages", writers=()),
    Entry("reports/monthly/<int:pk>/", "GET", "/reports/monthly/{own_report}/", REPORT_PAGE),
    Entry("reports/monthly/<int:pk>/", "GET", "/reports/monthly/{other_report}/", REPORT_OTHER_PAGE),
    Entry("reports/monthly/<int:pk>/preview/<int:page>.png", "GET", "/reports/monthly/{own_report}/preview/1.png", REPORT_PAGE),
    Entry("reports/monthly/<int:pk>/preview/<int:page>.png", "GET", "/reports/monthly/{other_report}/preview/1.png", REPORT_OTHER_PAGE),
    Entry("reports/monthly/<int:pk>/issue/", "POST", "/reports/monthly/{own_report}/issue/", expect(403, anonymous=302, project_manager=302), writers=()),
    Entry("reports/packages/", "GET", "/reports/packages/", REPORT_PAGE),
    Entry("reports/packages/generate/", "POST", "/reports/packages/generate/", expect(403, anonymous=302, duty_leader=200, project_manager=200),
          note="generating is the managers'; sent empty, the page again with the form's messages", writers=()),
    Entry("reports/packages/<int:pk>/", "GET", "/reports/packages/{own_package}/", REPORT_PAGE),
    Entry("reports/packages/<int:pk>/", "GET", "/reports/packages/{other_package}/", REPORT_OTHER_PAGE),
    Entry("reports/packages/<int:pk>/receive/", "POST", "/reports/packages/{own_receivable_package}/receive/",
          PURCHASER_ACTS_PAGE, writers=("approver",)),
    Entry("reports/assessments/", "GET", "/reports/assessments/", REPORT_PAGE),
    Entry("reports/assessments/final/", "POST", "/reports/assessments/final/", expect(403, anonymous=302, approver=400),
          data={"contract": "{own_contract}"}, writers=(), note="the renewal's last month has not come: a form error"),
    Entry("reports/assessments/<int:pk>/", "GET", "/reports/assessments/{own_assessment}/", REPORT_PAGE),
    Entry("reports/assessments/<int:pk>/", "GET", "/reports/assessments/{other_assessment}/", REPORT_OTHER_PAGE),
    Entry("reports/assessments/<int:pk>/", "POST", "/reports/assessments/{own_assessment}/", PURCHASER_ACTS_PAGE,
          data={"verdict": "pass", "item-TOTAL_FORMS": "5", "item-INITIAL_FORMS": "0"}, writers=("approver",)),
    Entry("reports/assessments/<int:pk>/opinion.pdf", "GET", "/reports/assessments/{own_final}/opinion.pdf", REPORT_PAGE),
    Entry("reports/remediation/", "GET", "/reports/remediation/", REPORT_PAGE),
    Entry("reports/remediation/<int:pk>/", "GET", "/reports/remediation/{own_item}/", REPORT_PAGE),
    Entry("reports/remediation/<int:pk>/", "GET", "/reports/remediation/{other_item}/", REPORT_OTHER_PAGE),
    Entry("reports/remediation/<int:pk>/answer/", "POST", "/reports/remediation/{own_item}/answer/",
          expect(403, anonymous=302, engineer=400, project_manager=400), data={"text": "再次答复"}, writers=(),
          note="already answered: the refusal is shown on the page"),
    Entry("reports/remediation/<int:pk>/close/", "POST", "/reports/remediation/{own_item}/close/", PURCHASER_ACTS_PAGE,
          writers=("approver",)),
    Entry("reports/remediation/<int:pk>/return/", "POST", "/reports/remediation/{own_item}/return/", PURCHASER_ACTS_PAGE,
          data={"reason": "证据不足"}, writers=("approver",)),
    Entry("reports/remediation/<int:pk>/attachments/<int:attachment_id>/", "GET",
          "/reports/remediation/{own_item}/attachments/{own_item_attachment}/", REPORT_PAGE),
]

# --- routine work (issue 17): purchasers read their own systems' records and write nothing -----------
W_ROUTINE = expect(400, anonymous=403, requester=403, approver=403, other_requester=403, auditor=403)
W_ROUTINE_PAGE = expect(200, anonymous=302, requester=403, approver=403, other_requester=403, auditor=403)
MATRIX += [
    Entry("api/v1/backup-policies/", "GET", "/api/v1/backup-policies/", API_ANY_SIGNED_IN),
    Entry("api/v1/backup-policies/", "POST", "/api/v1/backup-policies/", W_ROUTINE),
    Entry("api/v1/backup-policies/<int:pk>/", "GET", "/api/v1/backup-policies/{own_backup_policy}/", API_OWN),
    Entry("api/v1/backup-policies/<int:pk>/", "GET", "/api/v1/backup-policies/{other_backup_policy}/", API_OTHER),
    Entry("api/v1/backup-policies/<int:pk>/", "PATCH", "/api/v1/backup-policies/{own_backup_policy}/",
          expect(200, anonymous=403, requester=403, approver=403, other_requester=404, auditor=403), data={"schedule": "每日"}),
    Entry("api/v1/backup-runs/", "GET", "/api/v1/backup-runs/", API_ANY_SIGNED_IN),
    Entry("api/v1/backup-runs/", "POST", "/api/v1/backup-runs/", W_ROUTINE),
    Entry("api/v1/backup-runs/import/", "POST", "/api/v1/backup-runs/import/", W_ROUTINE),
    Entry("api/v1/backup-alerts/", "GET", "/api/v1/backup-alerts/", API_ANY_SIGNED_IN),
    Entry("api/v1/restore-tests/", "GET", "/api/v1/restore-tests/", API_ANY_SIGNED_IN),
    Entry("api/v1/restore-tests/", "POST", "/api/v1/restore-tests/", W_ROUTINE),
    Entry("api/v1/backup-compliance/", "GET", f"/api/v1/backup-compliance/?month={REPORT_MONTH}", API_ANY_SIGNED_IN),
    Entry("routine/backups/", "GET", "/routine/backups/", PAGE_ANY_SIGNED_IN),
    Entry("routine/backups/runs/", "GET", "/routine/backups/runs/", PAGE_ANY_SIGNED_IN),
    Entry("routine/backups/runs/", "POST", "/routine/backups/runs/", W_ROUTINE_PAGE, note="no file: the form again"),
    Entry("routine/backups/restore-tests/", "GET", "/routine/backups/restore-tests/", PAGE_ANY_SIGNED_IN),
    Entry("routine/backups/restore-tests/", "POST", "/routine/backups/restore-tests/", W_ROUTINE_PAGE, note="empty form"),
    Entry("api/v1/inspection-templates/", "GET", "/api/v1/inspection-templates/", API_ANY_SIGNED_IN),
    Entry("api/v1/inspection-templates/", "POST", "/api/v1/inspection-templates/", W_ROUTINE),
    Entry("api/v1/inspection-schedules/", "GET", "/api/v1/inspection-schedules/", API_ANY_SIGNED_IN),
    Entry("api/v1/inspection-schedules/", "POST", "/api/v1/inspection-schedules/", W_ROUTINE),
    Entry("api/v1/inspection-rounds/", "GET", "/api/v1/inspection-rounds/", API_ANY_SIGNED_IN),
    Entry("api/v1/inspection-rounds/<int:pk>/", "GET", "/api/v1/inspection-rounds/{own_inspection_round}/", API_OWN),
    Entry("api/v1/inspection-rounds/<int:pk>/", "GET", "/api/v1/inspection-rounds/{other_inspection_round}/", API_OTHER),
    Entry("api/v1/inspection-rounds/<int:pk>/complete/", "POST", "/api/v1/inspection-rounds/{own_inspection_round}/complete/",
          expect(400, anonymous=403, requester=403, approver=403, other_requester=404, auditor=403)),
    Entry("api/v1/inspection-results/<int:pk>/ticket/", "POST", "/api/v1/inspection-results/{own_inspection_result}/ticket/",
          expect(409, anonymous=403, requester=403, approver=403, other_requester=404, auditor=403), note="a normal item: 409"),
    Entry("routine/inspections/", "GET", "/routine/inspections/", PAGE_ANY_SIGNED_IN),
    Entry("routine/inspections/anomalies/", "GET", "/routine/inspections/anomalies/", PAGE_ANY_SIGNED_IN),
    Entry("routine/inspections/rounds/<int:pk>/", "GET", "/routine/inspections/rounds/{own_inspection_round}/", PAGE_OWN),
    Entry("routine/inspections/rounds/<int:pk>/", "GET", "/routine/inspections/rounds/{other_inspection_round}/", PAGE_OTHER),
    Entry("routine/inspections/rounds/<int:pk>/", "POST", "/routine/inspections/rounds/{own_inspection_round}/",
          expect(200, anonymous=302, requester=403, approver=403, other_requester=404, auditor=403), note="empty answers: the form again"),
    Entry("routine/inspections/results/<int:pk>/ticket/", "POST", "/routine/inspections/results/{own_inspection_result}/ticket/",
          expect(302, requester=403, approver=403, other_requester=404, auditor=403), writers=(),
          note="a normal item: sent back with a message"),
    Entry("api/v1/security-activities/", "GET", "/api/v1/security-activities/", API_ANY_SIGNED_IN),
    Entry("api/v1/security-activities/", "POST", "/api/v1/security-activities/", W_ROUTINE),
    Entry("api/v1/findings/", "GET", "/api/v1/findings/", API_ANY_SIGNED_IN),
    Entry("api/v1/findings/", "POST", "/api/v1/findings/", W_ROUTINE),
    Entry("api/v1/findings/import/", "POST", "/api/v1/findings/import/", W_ROUTINE),
    Entry("api/v1/findings/<int:pk>/", "GET", "/api/v1/findings/{own_finding}/", API_OWN),
    Entry("api/v1/findings/<int:pk>/", "GET", "/api/v1/findings/{other_finding}/", API_OTHER),
    Entry("api/v1/findings/<int:pk>/<slug:action>/", "POST", "/api/v1/findings/{own_finding}/verify/",
          expect(409, anonymous=403, requester=403, approver=403, other_requester=404, auditor=403), note="open: not yet fixed"),
    Entry("api/v1/findings/<int:pk>/accept-risk/", "POST", "/api/v1/findings/{own_finding}/accept-risk/",
          expect(400, anonymous=403, requester=403, approver=403, other_requester=404, auditor=403)),
    Entry("api/v1/risk-acceptances/", "GET", "/api/v1/risk-acceptances/", API_ANY_SIGNED_IN),
    Entry("api/v1/risk-acceptances/<int:pk>/<slug:action>/", "POST", "/api/v1/risk-acceptances/{own_risk_acceptance}/confirm/",
          expect(403, anonymous=403, approver=200, other_requester=404), note="only the owning purchaser's approver decides"),
    Entry("api/v1/antivirus-sweeps/", "GET", "/api/v1/antivirus-sweeps/", API_ANY_SIGNED_IN),
    Entry("api/v1/antivirus-sweeps/", "POST", "/api/v1/antivirus-sweeps/", W_ROUTINE),
    Entry("api/v1/antivirus-unswept/", "GET", f"/api/v1/antivirus-unswept/?month={REPORT_MONTH}", API_ANY_SIGNED_IN),
    Entry("api/v1/security-warnings/", "GET", "/api/v1/security-warnings/", API_ANY_SIGNED_IN),
    Entry("api/v1/security-warnings/", "POST", "/api/v1/security-warnings/", W_ROUTINE),
    Entry("routine/security/", "GET", "/routine/security/", PAGE_ANY_SIGNED_IN),
    Entry("routine/security/activities/", "GET", "/routine/security/activities/", PAGE_ANY_SIGNED_IN),
    Entry("routine/security/findings/", "GET", "/routine/security/findings/", PAGE_ANY_SIGNED_IN),
    Entry("routine/security/findings/<int:pk>/", "GET", "/routine/security/findings/{own_finding}/", PAGE_OWN),
    Entry("routine/security/findings/<int:pk>/", "GET", "/routine/security/findings/{other_finding}/", PAGE_OTHER),
    Entry("routine/security/findings/<int:pk>/", "POST", "/routine/security/findings/{own_finding}/",
          expect(403, anonymous=302, engineer=200, tech_lead=200, duty_leader=200, project_manager=200, other_requester=404),
          data={"action": "verify"}, writers=(), note="open: not yet fixed, the page again with the message"),
    Entry("routine/security/antivirus/", "GET", "/routine/security/antivirus/", PAGE_ANY_SIGNED_IN),
    Entry("routine/security/warnings/", "GET", "/routine/security/warnings/", PAGE_ANY_SIGNED_IN),
    Entry("api/v1/drills/", "GET", "/api/v1/drills/", API_ANY_SIGNED_IN),
    Entry("api/v1/drills/", "POST", "/api/v1/drills/", W_ROUTINE),
    Entry("api/v1/drills/<int:pk>/", "GET", "/api/v1/drills/{own_drill}/", API_OWN),
    Entry("api/v1/drills/<int:pk>/", "GET", "/api/v1/drills/{other_drill}/", API_OTHER),
    Entry("api/v1/drills/<int:pk>/record/", "POST", "/api/v1/drills/{own_drill}/record/",
          expect(400, anonymous=403, requester=403, approver=403, other_requester=404, auditor=403)),
    Entry("api/v1/drills/<int:pk>/sign/", "POST", "/api/v1/drills/{own_drill}/sign/",
          expect(403, approver=409, other_requester=404), note="not yet recorded: the approver gets 409, everybody else 403"),
    Entry("api/v1/drill-problems/<int:pk>/ticket/", "POST", "/api/v1/drill-problems/{own_drill_problem}/ticket/",
          expect(201, anonymous=403, requester=403, approver=403, other_requester=404, auditor=403)),
    Entry("routine/drills/", "GET", "/routine/drills/", PAGE_ANY_SIGNED_IN),
    Entry("routine/drills/<int:pk>/", "GET", "/routine/drills/{own_drill}/", PAGE_OWN),
    Entry("routine/drills/<int:pk>/", "GET", "/routine/drills/{other_drill}/", PAGE_OTHER),
    Entry("routine/drills/<int:pk>/", "POST", "/routine/drills/{own_drill}/",
          expect(403, anonymous=302, engineer=200, tech_lead=200, duty_leader=200, project_manager=200, auditor=200,
                 approver=200, requester=200, other_requester=404),
          data={"action": "nothing"}, writers=(), note="an unknown action: the page again with the message"),
]

# The routine pages that write (create and edit forms; record pages' actions): the provider's staff get the
# form (an empty submit: the form again with its errors), purchasers and the auditors 403, another purchaser's
# record 404 (to its auditor too). A drill's result form sends whoever may not record back to the drill page (302).
W_OWN_PAGE = expect(200, anonymous=302, requester=403, approver=403, other_requester=404, auditor=403)
W_OTHER_PAGE = expect(200, anonymous=302, requester=404, approver=404, other_requester=403, auditor=404, provider_auditor=403)
MATRIX += [
    Entry("routine/backups/policies/new/", "GET", "/routine/backups/policies/new/", W_ROUTINE_PAGE),
    Entry("routine/backups/policies/new/", "POST", "/routine/backups/policies/new/", W_ROUTINE_PAGE, note="empty form"),
    Entry("routine/backups/policies/<int:pk>/edit/", "GET", "/routine/backups/policies/{own_backup_policy}/edit/", W_OWN_PAGE),
    Entry("routine/backups/policies/<int:pk>/edit/", "GET", "/routine/backups/policies/{other_backup_policy}/edit/", W_OTHER_PAGE),
    Entry("routine/backups/policies/<int:pk>/edit/", "POST", "/routine/backups/policies/{own_backup_policy}/edit/", W_OWN_PAGE,
          note="empty form"),
    Entry("routine/inspections/setup/", "GET", "/routine/inspections/setup/", PAGE_ANY_SIGNED_IN),
    Entry("routine/inspections/templates/new/", "GET", "/routine/inspections/templates/new/", W_ROUTINE_PAGE),
    Entry("routine/inspections/templates/new/", "POST", "/routine/inspections/templates/new/", W_ROUTINE_PAGE, note="empty form"),
    Entry("routine/inspections/schedules/new/", "GET", "/routine/inspections/schedules/new/", W_ROUTINE_PAGE),
    Entry("routine/inspections/schedules/new/", "POST", "/routine/inspections/schedules/new/", W_ROUTINE_PAGE, note="empty form"),
    Entry("routine/security/activities/new/", "GET", "/routine/security/activities/new/", W_ROUTINE_PAGE),
    Entry("routine/security/activities/new/", "POST", "/routine/security/activities/new/", W_ROUTINE_PAGE, note="empty form"),
    Entry("routine/security/activities/<int:pk>/", "GET", "/routine/security/activities/{own_security_activity}/", PAGE_OWN),
    Entry("routine/security/activities/<int:pk>/", "GET", "/routine/security/activities/{other_security_activity}/", PAGE_OTHER),
    Entry("routine/security/activities/<int:pk>/", "POST", "/routine/security/activities/{own_security_activity}/", W_OWN_PAGE,
          note="no file: the upload form again"),
    Entry("routine/security/activities/<int:pk>/report/", "GET", "/routine/security/activities/{own_security_activity}/report/",
          PAGE_OWN),
    Entry("routine/security/activities/<int:pk>/report/", "GET", "/routine/security/activities/{other_security_activity}/report/",
          PAGE_OTHER),
    Entry("api/v1/security-activities/<int:pk>/report/", "GET", "/api/v1/security-activities/{own_security_activity}/report/",
          API_OWN),
    Entry("api/v1/security-activities/<int:pk>/report/", "GET", "/api/v1/security-activities/{other_security_activity}/report/",
          API_OTHER),
    Entry("api/v1/security-activities/<int:pk>/report/", "POST", "/api/v1/security-activities/{own_security_activity}/report/",
          expect(400, anonymous=403, requester=403, approver=403, other_requester=404, auditor=403), note="no file"),
    Entry("routine/security/findings/new/", "GET", "/routine/security/findings/new/", W_ROUTINE_PAGE),
    Entry("routine/security/findings/new/", "POST", "/routine/security/findings/new/", W_ROUTINE_PAGE, note="empty form"),
    Entry("routine/security/warnings/new/", "GET", "/routine/security/warnings/new/", W_ROUTINE_PAGE),
    Entry("routine/security/warnings/new/", "POST", "/routine/security/warnings/new/", W_ROUTINE_PAGE, note="empty form"),
    Entry("routine/security/antivirus/new/", "GET", "/routine/security/antivirus/new/", W_ROUTINE_PAGE),
    Entry("routine/security/antivirus/new/", "POST", "/routine/security/antivirus/new/", W_ROUTINE_PAGE, note="empty form"),
    Entry("routine/drills/new/", "GET", "/routine/drills/new/", W_ROUTINE_PAGE),
    Entry("routine/drills/new/", "POST", "/routine/drills/new/", W_ROUTINE_PAGE, note="empty form"),
    Entry("routine/drills/<int:pk>/record/", "GET", "/routine/drills/{own_drill}/record/",
          expect(200, anonymous=302, requester=302, approver=302, auditor=302, other_requester=404),
          note="who may not record is sent to the drill page"),
    Entry("routine/drills/<int:pk>/record/", "POST", "/routine/drills/{own_drill}/record/", W_OWN_PAGE,
          note="empty form: the form again; others refused by the drill's table"),
]

# --- the exclusion ledger (issue 15): only the owning purchaser's approver decides; who asked withdraws ---
# {own_exclusion} is the duty leader's request to cancel a ticket of the requester's purchaser, waiting.
CONSENT_DECISION = expect(403, approver=200, other_requester=404)
MATRIX += [
    Entry("api/v1/tickets/<int:pk>/merge/", "POST", "/api/v1/tickets/{own_duplicate_ticket}/merge/",
          expect(403, requester=200, approver=200, duty_leader=202, project_manager=202, other_requester=404),
          data={"duplicate_of": "{own_ticket}", "reason": "矩阵测试：重复报障"},
          note="as cancel: the purchaser's own merge takes effect, the provider's waits for its approver (202)"),
    Entry("api/v1/exclusions/", "GET", "/api/v1/exclusions/", API_ANY_SIGNED_IN),
    Entry("api/v1/exclusions/<int:pk>/", "GET", "/api/v1/exclusions/{own_exclusion}/", API_OWN),
    Entry("api/v1/exclusions/<int:pk>/", "GET", "/api/v1/exclusions/{other_exclusion}/", API_OTHER),
    Entry("api/v1/exclusions/<int:pk>/confirm/", "POST", "/api/v1/exclusions/{own_exclusion}/confirm/", CONSENT_DECISION),
    Entry("api/v1/exclusions/<int:pk>/confirm/", "POST", "/api/v1/exclusions/{other_exclusion}/confirm/",
          expect(403, requester=404, approver=404), note="another purchaser's approver is not among the roles: nobody here decides"),
    Entry("api/v1/exclusions/<int:pk>/reject/", "POST", "/api/v1/exclusions/{own_exclusion}/reject/", CONSENT_DECISION,
          data={"note": "矩阵测试：不同意"}),
    Entry("api/v1/exclusions/<int:pk>/dispute/", "POST", "/api/v1/exclusions/{own_confirmed_exclusion}/dispute/",
          CONSENT_DECISION, data={"note": "矩阵测试：有异议"}),
    Entry("api/v1/exclusions/<int:pk>/withdraw/", "POST", "/api/v1/exclusions/{own_exclusion}/withdraw/",
          expect(403, duty_leader=200, other_requester=404), note="only who asked withdraws, before a decision"),
    Entry("exclusions/", "GET", "/exclusions/", PAGE_ANY_SIGNED_IN),
    Entry("exclusions/inbox/", "GET", "/exclusions/inbox/", PAGE_ANY_SIGNED_IN, note="rows: what the user may decide"),
    Entry("exclusions/<int:pk>/", "GET", "/exclusions/{own_exclusion}/", PAGE_OWN),
    Entry("exclusions/<int:pk>/", "GET", "/exclusions/{other_exclusion}/", PAGE_OTHER),
    Entry("exclusions/<int:pk>/<slug:action>/", "POST", "/exclusions/{own_exclusion}/confirm/",
          expect(403, anonymous=302, approver=302, other_requester=404), writers=("approver",),
          note="a refusal shows the exclusion page with the message, answered 403"),
]

# --- monitoring (alert intake): provider staff and auditors read every integration, purchaser staff
# their own purchaser's; only the project manager and duty leaders manage them; the pages are the
# provider's. The intake URL's secret token is its only credential.
MANAGE_INTEGRATION = expect(403, duty_leader=200, project_manager=200, other_requester=404)
MATRIX += [
    Entry("api/v1/integrations/", "GET", "/api/v1/integrations/", API_ANY_SIGNED_IN),
    Entry("api/v1/integrations/", "POST", "/api/v1/integrations/", expect(403, duty_leader=400, project_manager=400),
          note="refused before the body is read"),
    Entry("api/v1/integrations/<int:pk>/", "GET", "/api/v1/integrations/{own_integration}/", API_OWN),
    Entry("api/v1/integrations/<int:pk>/", "GET", "/api/v1/integrations/{other_integration}/", API_OTHER),
    Entry("api/v1/integrations/<int:pk>/", "PATCH", "/api/v1/integrations/{own_integration}/", MANAGE_INTEGRATION,
          data={"name": "矩阵测试改名"}),
    Entry("api/v1/integrations/<int:pk>/rotate/", "POST", "/api/v1/integrations/{own_integration}/rotate/", MANAGE_INTEGRATION),
    Entry("api/v1/integrations/<str:token>/<str:kind>/", "POST", "/api/v1/integrations/{integration_token}/alertmanager/",
          expect(400), note="the token is accepted with or without a session; a form body is no alert payload: 400"),
    Entry("api/v1/integrations/<str:token>/<str:kind>/", "POST",
          "/api/v1/integrations/{rotated_integration_token}/alertmanager/", expect(404), note="a rotated token stops at once"),
    Entry("api/v1/integrations/<str:token>/<str:kind>/", "POST", "/api/v1/integrations/{integration_token}/zabbix/",
          expect(404), note="the token of another kind's URL"),
    Entry("api/v1/alerts/", "GET", "/api/v1/alerts/", API_ANY_SIGNED_IN),
    Entry("api/v1/tickets/<int:pk>/alerts/", "GET", "/api/v1/tickets/{own_ticket}/alerts/", API_OWN),
    Entry("api/v1/tickets/<int:pk>/alerts/", "GET", "/api/v1/tickets/{other_ticket}/alerts/", API_OTHER),
    # Utilisation in (issue 16 item 8): everyone signed in reads (purchasers their own systems); the PM and the
    # duty leaders import, edit thresholds and decide findings.
    Entry("api/v1/utilisation/", "GET", "/api/v1/utilisation/", API_ANY_SIGNED_IN),
    Entry("api/v1/utilisation/import/", "POST", "/api/v1/utilisation/import/", MANAGE_UTILISATION_EMPTY),
    Entry("api/v1/utilisation/template/", "GET", "/api/v1/utilisation/template/", API_ANY_SIGNED_IN),
    Entry("api/v1/utilisation/thresholds/", "GET", "/api/v1/utilisation/thresholds/", API_ANY_SIGNED_IN),
    Entry("api/v1/utilisation/thresholds/<int:pk>/", "PATCH", "/api/v1/utilisation/thresholds/{utilisation_threshold}/",
          expect(403, duty_leader=200, project_manager=200), data={"days": 3}),
    Entry("api/v1/optimisation-findings/", "GET", "/api/v1/optimisation-findings/", API_ANY_SIGNED_IN),
    Entry("api/v1/optimisation-findings/<int:pk>/ticket/", "POST", "/api/v1/optimisation-findings/{own_optimisation_finding}/ticket/",
          {**MANAGE_UTILISATION, "duty_leader": 201, "project_manager": 201}),
    Entry("api/v1/optimisation-findings/<int:pk>/ticket/", "POST",
          "/api/v1/optimisation-findings/{other_optimisation_finding}/ticket/",
          {**MANAGE_UTILISATION_OTHER, "duty_leader": 201, "project_manager": 201}),
    Entry("api/v1/optimisation-findings/<int:pk>/dismiss/", "POST",
          "/api/v1/optimisation-findings/{own_optimisation_finding}/dismiss/", MANAGE_UTILISATION, data={"reason": "矩阵"}),
    Entry("monitoring/utilisation/", "GET", "/monitoring/utilisation/", PAGE_ANY_SIGNED_IN),
    Entry("monitoring/utilisation/findings/", "GET", "/monitoring/utilisation/findings/", PAGE_ANY_SIGNED_IN),
    Entry("monitoring/utilisation/import/", "GET", "/monitoring/utilisation/import/",
          expect(403, anonymous=302, duty_leader=200, project_manager=200)),
    Entry("monitoring/utilisation/findings/<int:pk>/<str:action>/", "POST",
          "/monitoring/utilisation/findings/{own_optimisation_finding}/dismiss/",
          expect(403, anonymous=302, duty_leader=302, project_manager=302, other_requester=404),
          data={"reason": "矩阵"}, writers=("duty_leader", "project_manager")),
    Entry("monitoring/utilisation/thresholds/<int:pk>/", "POST", "/monitoring/utilisation/thresholds/{utilisation_threshold}/",
          expect(403, anonymous=302, duty_leader=200, project_manager=200), data={"days": 3},
          writers=("duty_leader", "project_manager"), note="incomplete: the page again, the messages beside the inputs"),
    Entry("monitoring/utilisation/template/", "GET", "/monitoring/utilisation/template/", PAGE_ANY_SIGNED_IN),
    Entry("monitoring/integrations/", "GET", "/monitoring/integrations/", PROVIDER_PAGE),
    Entry("monitoring/integrations/", "POST", "/monitoring/integrations/",
          expect(403, anonymous=302, duty_leader=200, project_manager=200), writers=(), note="empty form: the page again"),
    Entry("monitoring/integrations/<int:pk>/", "GET", "/monitoring/integrations/{own_integration}/", PROVIDER_PAGE),
    Entry("monitoring/integrations/<int:pk>/", "POST", "/monitoring/integrations/{own_integration}/",
          expect(403, anonymous=302, duty_leader=200, project_manager=200), data={"rotate": "1"},
          note="the new secret URL is shown once, on the answer"),
]

# --- the SLA floor (issue 15 item 5): the PM proposes (a tightening applies at once: 200), everyone reads
# the policies and its own purchaser's proposals, the purchaser's approver decides.
MATRIX += [
    Entry("api/v1/sla-policies/<int:pk>/changes/", "POST", "/api/v1/sla-policies/{sla_policy}/changes/",
          expect(403, project_manager=200), data={"target_minutes": 10}, note="10 < the contract's 15: tightened at once"),
    Entry("api/v1/sla-policy-changes/", "GET", "/api/v1/sla-policy-changes/", API_ANY_SIGNED_IN),
    Entry("api/v1/sla-policy-changes/<int:pk>/confirm/", "POST", "/api/v1/sla-policy-changes/{own_sla_policy_change}/confirm/",
          CONSENT_DECISION),
    Entry("api/v1/sla-policy-changes/<int:pk>/confirm/", "POST", "/api/v1/sla-policy-changes/{other_sla_policy_change}/confirm/",
          expect(403, requester=404, approver=404), note="another purchaser's approver is not among the roles; auditors are refused every write first"),
    Entry("api/v1/sla-policy-changes/<int:pk>/reject/", "POST", "/api/v1/sla-policy-changes/{own_sla_policy_change}/reject/",
          CONSENT_DECISION, data={"note": "矩阵测试：不同意"}),
    Entry("api/v1/sla-policy-changes/<int:pk>/dispute/", "POST", "/api/v1/sla-policy-changes/{own_sla_policy_change}/dispute/",
          expect(409, anonymous=403, requester=403, engineer=403, tech_lead=403, duty_leader=403, project_manager=403,
                 auditor=403, other_requester=404), data={"note": "矩阵测试：有异议"}, note="not yet confirmed: 409"),
    Entry("api/v1/sla-policy-changes/<int:pk>/withdraw/", "POST", "/api/v1/sla-policy-changes/{own_sla_policy_change}/withdraw/",
          expect(403, project_manager=200, other_requester=404), note="only who asked withdraws, before a decision"),
    Entry("sla-policies/", "GET", "/sla-policies/", PAGE_ANY_SIGNED_IN),
    Entry("sla-policies/", "POST", "/sla-policies/", expect(403, anonymous=302, project_manager=302),
          data={"policy": "{sla_policy}", "target_minutes": "10", "active": "on"}, writers=("project_manager",)),
    Entry("sla-policies/changes/<int:pk>/<slug:action>/", "POST", "/sla-policies/changes/{own_sla_policy_change}/confirm/",
          expect(403, anonymous=302, approver=302, other_requester=404), writers=("approver",)),
]
