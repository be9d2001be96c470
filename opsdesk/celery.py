"""The Celery app. Production runs a worker and beat against CELERY_BROKER_URL; the embedded mode
runs tasks in-process (CELERY_TASK_ALWAYS_EAGER) and `manage.py run_scheduler` replaces beat."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opsdesk.settings.local")

app = Celery("opsdesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
