"""SESSION_ENGINE when the cache is shared by every process (core/sessions.py says why): Django's
cached_db sessions, written to the database and the cache, read from the cache first; malformed keys
refused as in core.sessions, before either is asked."""

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDbSessionStore

from .sessions import session_key_valid


class SessionStore(CachedDbSessionStore):
    def _validate_session_key(self, key) -> bool:
        return bool(super()._validate_session_key(key)) and session_key_valid(key)
