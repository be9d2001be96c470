"""The access-control matrix, written as data: every route × every role (× own/other organisation for
object routes) → the expected HTTP status. `test_permission_matrix.py` checks every cell and fails
when a URL pattern exists that no entry mentions.

To cover a new endpoint, add an `Entry`:

    Entry("api/v1/tickets/<int:pk>/", "GET", "/api/v1/tickets/{own_ticket}/",
          expect(STAFF_AND_OWN, other_requester=404, anonymous=403)),

- `route` is the URL pattern exactly as Django reports it (ResolverMatch.route); the test checks the
  path resolves to it, so an entry cannot silently test something else.
- `path` may hold {placeholders} filled from the `objects` fixture in test_permission_matrix.py (add
  yours there: own_* is the requester's organisation's object, other_* another purchaser's).
- `expect` maps every role in ROLES to a status; helpers below fill the common shapes.
- Another organisation's object answers 404, never 403.
"""

from dataclasses import dataclass, field

ROLES = (
    "anonymous",
    "requester",
    "approver",
    "engineer",
    "tech_lead",
    "duty_leader",
    "project_manager",
    "auditor",
    "other_requester",
)
SIGNED_IN = tuple(r for r in ROLES if r != "anonymous")


def expect(default: int | None = None, **statuses: int) -> dict[str, int]:
    """expect(200, anonymous=403): every role `default` unless named."""
    table = {role: default for role in ROLES}
    table.update(statuses)
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


@dataclass(frozen=True)
class Entry:
    route: str
    method: str
    path: str
    statuses: dict[str, int]
    data: dict = field(default_factory=dict)
    note: str = ""


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
        expect(403, anonymous=302, project_manager=302), note="only the project manager unlocks",
    ),
    # --- tickets reference pages ----------------------------------------------------------------
    Entry("systems/", "GET", "/systems/", PAGE_ANY_SIGNED_IN),
    Entry("systems/<int:pk>/", "GET", "/systems/{own_system}/", expect(200, anonymous=302, other_requester=404)),
    Entry("systems/<int:pk>/", "GET", "/systems/{other_system}/", expect(200, anonymous=302, requester=404, approver=404)),
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
    Entry("api/v1/business-systems/<int:pk>/", "GET", "/api/v1/business-systems/{other_system}/", expect(200, anonymous=403, requester=404, approver=404)),
    Entry("api/v1/hosts/", "GET", "/api/v1/hosts/", API_ANY_SIGNED_IN),
    Entry("api/v1/hosts/<int:pk>/", "GET", "/api/v1/hosts/{own_host}/", expect(200, anonymous=403, other_requester=404)),
    Entry("api/v1/hosts/<int:pk>/", "GET", "/api/v1/hosts/{other_host}/", expect(200, anonymous=403, requester=404, approver=404)),
]

# Lists whose rows must stay inside the tenant: route → (path, own placeholder, other placeholder).
# The requester sees the own object and not the other; the other purchaser the reverse; provider
# staff and auditors both.
TENANT_LISTS = {
    "api/v1/business-systems/": ("/api/v1/business-systems/", "own_system", "other_system"),
    "api/v1/hosts/": ("/api/v1/hosts/", "own_host", "other_host"),
}
