"""The embedded default: `make run` on one machine, SQLite, no broker, DEBUG on."""

from .base import *  # noqa: F403
from .base import env, refuse_development_key

DEBUG = env.bool("DEBUG", default=True)
refuse_development_key(debug=DEBUG, secret_key=SECRET_KEY)

# Embedded mode without a broker: long tasks (report generation, packages) run in a thread beside the
# request, so the page returns at once and shows progress, as it does with a worker in production.
OPSDESK_EAGER_TASKS_IN_THREAD = not CELERY_BROKER_URL

# E-mail in `make run`: written to files under var/mail/ rather than printed, so that the notices the
# demo sends do not bury the server's output. EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend
# prints them again.
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(BASE_DIR / "var" / "mail"))

# In-process tasks would log one "Task … succeeded" line per notification; failures still show.
LOGGING["loggers"]["celery.app.trace"] = {"level": "WARNING"}
