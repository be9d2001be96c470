"""Celery tasks of the tickets app (Celery autodiscovers this module)."""

from .tasks_changes import change_retrospective_overdue_scan  # noqa: F401 - registers the change tasks
