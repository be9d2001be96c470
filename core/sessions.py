"""SESSION_ENGINE: Django's database sessions, refusing malformed session cookies before the query.

Django's keys are 32 characters of [a-z0-9]; a forged cookie with a NUL byte made PostgreSQL raise
DataError (a 500 on every page and API with session authentication, found by schemathesis). A key
that is not plain ASCII letters and digits is treated like a missing one: a new, empty session.

With a cache that every process shares (CACHE_URL=redis://…, as in production), settings choose
`core.sessions_cached`: the same rows in the database, read through the cache (Django's cached_db),
so that a request does not pay a database query for its session. With a per-process cache (locmem,
the embedded default) they stay here: a logout in one process would not reach another's cache."""

from django.contrib.sessions.backends.db import SessionStore as DbSessionStore


def session_key_valid(key) -> bool:
    """Django's own check, and no more than 40 plain ASCII letters and digits."""
    return bool(key) and len(key) <= 40 and key.isascii() and key.isalnum()


class SessionStore(DbSessionStore):
    def _validate_session_key(self, key) -> bool:
        return bool(super()._validate_session_key(key)) and session_key_valid(key)
