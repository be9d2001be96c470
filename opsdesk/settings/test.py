"""Test settings: fast hasher, locmem cache, eager tasks unless a test starts a real worker.

DATABASE_URL (PostgreSQL in CI) is honoured; without it the suite runs on SQLite.
"""

import os
import re

from .base import *  # noqa: F403
from .base import BASE_DIR, env

DEBUG = False
SECRET_KEY = "opsdesk-test-key"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SESSION_ENGINE = "core.sessions"  # a per-process cache: sessions from the database (base.py)
SHARED_CACHE = False  # tests that need the shared-cache paths turn it on
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# `make test` runs the suite in two pytest-xdist processes (gw0, gw1): each has its own test database
# (pytest-django's suffix), its own media folder and its own Redis database, so neither sees the other's rows,
# files or queued tasks.
XDIST_WORKER = env("PYTEST_XDIST_WORKER", default="")
MEDIA_ROOT = BASE_DIR / "var" / ("test-media" + (f"-{XDIST_WORKER}" if XDIST_WORKER else ""))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests call tasks in-process; the Celery round-trip test starts a real worker on the broker.
CELERY_TEST_BROKER_URL = env("CELERY_BROKER_URL", default="")
# The offset is taken once, by the pytest process: a process it starts (a Celery worker, a drill's stack)
# inherits the marker and uses the broker URL it is given as it is.
if XDIST_WORKER and CELERY_TEST_BROKER_URL.startswith("redis://") and not os.environ.get("OPSDESK_TEST_BROKER_OWN"):
    _match = re.fullmatch(r"(redis://[^/]+)(?:/(\d+))?", CELERY_TEST_BROKER_URL)
    if _match:
        _offset = int(XDIST_WORKER.removeprefix("gw") or 0) + 1
        CELERY_TEST_BROKER_URL = f"{_match[1]}/{int(_match[2] or 0) + _offset}"
        # Celery reads CELERY_BROKER_URL from the environment before its settings: make the two agree.
        os.environ["CELERY_BROKER_URL"] = CELERY_TEST_BROKER_URL
        os.environ["OPSDESK_TEST_BROKER_OWN"] = "1"
CELERY_BROKER_URL = CELERY_TEST_BROKER_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = True
AXES_ENABLED = env.bool("AXES_ENABLED", default=False)
LOGGING["root"]["level"] = "WARNING"
