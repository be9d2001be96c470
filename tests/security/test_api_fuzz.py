"""Bad input harness: schemathesis generates requests for every operation of /api/v1/schema/ (new
endpoints are picked up automatically) and sends them through the Django WSGI app, as a provider
engineer and as a requester. No response may be a 5xx; responses must match the schema.

Bounded: FUZZ_EXAMPLES generated examples per operation, each sent once per role (env
OPSDESK_FUZZ_EXAMPLES, default 10); see PHASES for the deeper coverage run."""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, reject, settings
from rest_framework.authtoken.models import Token
from schemathesis.specs.openapi import checks as openapi_checks

from opsdesk.wsgi import application

FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}
FUZZ_EXAMPLES = int(os.environ.get("OPSDESK_FUZZ_EXAMPLES", "10"))
# The coverage phase (every boundary/negative value of every parameter: hundreds of requests per
# operation) takes many minutes; it runs only when OPSDESK_FUZZ_COVERAGE=1 (a deeper run). The CI run
# is random fuzzing, FUZZ_EXAMPLES per operation. Schemathesis 4.1 ignores the configured phases for a
# schema loaded from a fixture (`from_fixture` builds every mode, coverage included), and adds the
# coverage (and schema example) cases as Hypothesis explicit examples, so it is the Hypothesis phases
# below that really decide: without Phase.explicit, no coverage cases. No shrinking either: a failure
# is reported with the example that failed, and a failing run stays bounded.
COVERAGE = os.environ.get("OPSDESK_FUZZ_COVERAGE") == "1"
PHASES = (Phase.explicit, Phase.generate) if COVERAGE else (Phase.generate,)
CONFIG = schemathesis.config.SchemathesisConfig.from_dict(
    {"phases": {"coverage": {"enabled": COVERAGE}, "stateful": {"enabled": False}}}
)


@pytest.fixture
def api_schema(db):
    # Like Django's test client: the WSGI handler must not close the test's connection (which holds
    # the test transaction) at the end of each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/schema/", application, config=CONFIG)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")

# The checks that matter here: no server error, the documented content type, and a body that
# matches the documented schema for its status. (Error statuses such as 403/404 are deliberately
# not listed one by one in the schema; their body shape is tested in tests/core/test_api_foundation.)
CHECKS = [
    schemathesis.checks.not_a_server_error,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
]


@pytest.fixture
def token_headers(users, systems) -> dict[str, dict]:
    """Every generated request is sent once per role."""
    headers = {}
    for role in ("engineer", "requester"):
        token, _ = Token.objects.get_or_create(user=users[role])
        headers[role] = {"Authorization": f"Token {token.key}"}
    return headers


@schema.parametrize()
@settings(
    max_examples=FUZZ_EXAMPLES,
    phases=PHASES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_api_never_answers_5xx_and_matches_its_schema(case, token_headers):
    if case.media_type in FORM_TYPES and not isinstance(case.body, dict):
        reject()  # a form body that is not key/value pairs cannot even be encoded by the client
    for role, headers in token_headers.items():
        # One savepoint per request, like a request of its own: a database error behind a 5xx fails
        # this case only, instead of aborting the test transaction under every later operation
        # (which is what made unrelated operations such as /service-items/ fail "intermittently").
        with transaction.atomic():
            response = case.call(headers=headers)
            transaction.set_rollback(True)
        case.validate_response(response, checks=CHECKS)
        if response.status_code >= 400 and response.headers.get("Content-Type", [""])[0].startswith("application/json"):
            body = response.json()
            assert set(body) == {"code", "message", "fields"}, (role, case.method, case.path, body)
