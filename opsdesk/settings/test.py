"""Test settings: fast hasher, locmem cache, eager tasks unless a test starts a real worker.

DATABASE_URL (PostgreSQL in CI) is honoured; without it the suite runs on SQLite.
"""

from .base import *  # noqa: F403
from .base import BASE_DIR, env

DEBUG = False
SECRET_KEY = "opsdesk-test-key"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests call tasks in-process; the Celery round-trip test starts a real worker on the broker.
CELERY_TEST_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_BROKER_URL = CELERY_TEST_BROKER_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = True
AXES_ENABLED = env.bool("AXES_ENABLED", default=False)
LOGGING["root"]["level"] = "WARNING"
