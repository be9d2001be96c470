"""The embedded default: `make run` on one machine, SQLite, no broker, DEBUG on."""

from .base import *  # noqa: F403
from .base import env, refuse_development_key

DEBUG = env.bool("DEBUG", default=True)
refuse_development_key(debug=DEBUG, secret_key=SECRET_KEY)

# Embedded mode without a broker: long tasks (report generation, packages) run in a thread beside the
# request, so the page returns at once and shows progress, as it does with a worker in production.
OPSDESK_EAGER_TASKS_IN_THREAD = not CELERY_BROKER_URL
