"""The audit trail (clauses 6.2.4, 6.2.9, 7.1). Public interface:

- `audit_record(*, actor, action, obj=None, detail="", changes=None, ...)` — record an event that no
  model save shows: exports (AuditLog.Action.EXPORT) and downloads (AuditLog.Action.DOWNLOAD).
- `audit_context(actor=..., source="task:…")` — attribute entries written by a task or command.
- Everything else (model changes, logins) is captured automatically; see capture.py.
"""

from .context import audit_context, current_actor
from .services import audit_purge_expired, audit_record, audit_retention_days

__all__ = ["audit_context", "audit_purge_expired", "audit_record", "audit_retention_days", "current_actor"]
