"""Maximum lengths of free text, one table for every app.

Services decide (`text_lengths_check` raises ValidationFailed, a 400 with a message per field); forms
and serializers show the same numbers (max_length=…) so a browser stops typing at the limit and the
API schema documents it. Lengths are in characters (a Chinese character counts one).

The figures fit their purpose: a fault description with pasted log lines fits 20 000 characters; a
comment, a resolution or a downtime-report section 8 000; a conclusion or a duty-log entry 4 000; a
reason (pend, reopen, cancel, correction, a swap) 2 000 — a paragraph, not a document: longer material
goes into an attachment.
"""

from django.utils.translation import gettext as _

from .exceptions import ValidationFailed

TITLE_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 20_000
TEXT_MAX_LENGTH = 8_000  # comments, resolutions, downtime-report sections, change plans
NOTE_MAX_LENGTH = 4_000  # locate conclusions, major-incident reasons, duty-log entries, handover notes
REASON_MAX_LENGTH = 2_000  # pend / reopen / cancel / correction reasons, ratings, swap and roster-edit reasons


def text_lengths_check(**values: tuple[str | None, int]) -> None:
    """`text_lengths_check(title=(title, TITLE_MAX_LENGTH), description=(description, DESCRIPTION_MAX_LENGTH))`:
    ValidationFailed naming every field longer than its limit."""
    fields = {
        name: [_("最多 %(limit)s 个字符（当前 %(length)s 个）") % {"limit": limit, "length": len(value)}]
        for name, (value, limit) in values.items()
        if value is not None and len(value) > limit
    }
    if fields:
        raise ValidationFailed(fields=fields)
