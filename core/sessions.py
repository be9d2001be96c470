"""SESSION_ENGINE: Django's database sessions, refusing malformed session cookies before the query.

Django's keys are 32 characters of [a-z0-9]; a forged cookie with a NUL byte made PostgreSQL raise
DataError (a 500 on every page and API with session authentication, found by schemathesis). A key
that is not plain ASCII letters and digits is treated like a missing one: a new, empty session."""

from django.contrib.sessions.backends.db import SessionStore as DbSessionStore


class SessionStore(DbSessionStore):
    def _validate_session_key(self, key) -> bool:
        return bool(super()._validate_session_key(key)) and len(key) <= 40 and key.isascii() and key.isalnum()
