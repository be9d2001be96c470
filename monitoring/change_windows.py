"""The one place monitoring reads change requests: which approved change's window covers a moment.

The change code is moving from tickets to its own `changes` app; only this import changes then.
"""

from tickets.selectors.changes import change_window_covering

__all__ = ["change_window_covering"]
