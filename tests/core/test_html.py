"""core.html's esc, fmt and fmt_join write what Django's conditional_escape, format_html and
format_html_join write, for text, safe strings, lazy translations, numbers, None and objects with __html__."""

from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy

from core.html import esc, fmt, fmt_join


class _Html:
    def __html__(self):
        return "<b>own</b>"


VALUES = ['<a href="x">&\'', mark_safe("<i>safe</i>"), gettext_lazy("全部"), 42, 3.5, None, True, _Html(), "", "纯文本"]


def test_the_same_as_djangos():
    for value in VALUES:
        assert esc(value) == conditional_escape(value)
    out = fmt('<td data-label="{}">{}{}</td>', *VALUES[:3])
    assert out == format_html('<td data-label="{}">{}{}</td>', *VALUES[:3]) and isinstance(out, SafeString)
    rows = [(v, v) for v in VALUES]
    joined = fmt_join("\n", "<div>{}|{}</div>", rows)
    assert joined == format_html_join("\n", "<div>{}|{}</div>", rows) and isinstance(joined, SafeString)
    assert fmt_join("<br>", "{}", [("a",), ("b",)]) == format_html_join("<br>", "{}", [("a",), ("b",)])
