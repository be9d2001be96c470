"""The one place monitoring reads change requests: which approved change's window covers a moment."""

from changes.selectors import change_window_covering

__all__ = ["change_window_covering"]
