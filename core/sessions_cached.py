"""SESSION_ENGINE when the cache is shared by every process (core/sessions.py says why): Django's
cached_db sessions, written to the database and the cache, read from the cache first; malformed keys
refused as in core.sessions, before either is asked.

The database stays the record: a cache that fails or is unreachable (Redis down, a network fault; the
client gives up after CACHE_SOCKET_TIMEOUT, settings/base.py) costs a query, never a request —
Django's own store let a failed write after a database read, a failed delete at logout and a failed
existence check at login raise. A cached session lives CACHE_SECONDS at most, then is read from the
database again: a logout whose cache delete failed (the row is gone) leaves the session valid in the
cache for at most that long."""

import logging

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDbSessionStore
from django.contrib.sessions.backends.db import SessionStore as DbSessionStore

from .sessions import session_key_valid

logger = logging.getLogger(__name__)

CACHE_SECONDS = 300


class SessionStore(CachedDbSessionStore):
    def _validate_session_key(self, key) -> bool:
        return bool(super()._validate_session_key(key)) and session_key_valid(key)

    def _cache_set(self, data, expiry_age: int) -> None:
        try:
            self._cache.set(self.cache_key, data, min(expiry_age, CACHE_SECONDS))
        except Exception:  # noqa: BLE001 - the database holds the session; the cache is a copy
            logger.warning("session cache unavailable: the session is read from the database", exc_info=True)

    def load(self):
        try:
            data = self._cache.get(self.cache_key)
        except Exception:  # noqa: BLE001 - as Django's: an unreadable cache is a miss
            data = None
        if data is None:
            row = self._get_session_from_db()
            if not row:
                return {}
            data = self.decode(row.session_data)
            self._cache_set(data, self.get_expiry_age(expiry=row.expire_date))
        return data

    def exists(self, session_key) -> bool:
        try:
            cached = bool(session_key) and (self.cache_key_prefix + session_key) in self._cache
        except Exception:  # noqa: BLE001 - the database answers
            cached = False
        return cached or DbSessionStore.exists(self, session_key)

    def save(self, must_create=False) -> None:
        DbSessionStore.save(self, must_create)
        self._cache_set(self._session, self.get_expiry_age())

    def delete(self, session_key=None) -> None:
        DbSessionStore.delete(self, session_key)
        key = session_key or self.session_key
        if not key:
            return
        try:
            self._cache.delete(self.cache_key_prefix + key)
        except Exception:
            logger.error("session cache unavailable at logout: the cached copy expires within %s s", CACHE_SECONDS,
                         exc_info=True)
