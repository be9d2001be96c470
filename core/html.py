"""format_html, format_html_join and conditional_escape for the hot paths that write HTML in Python
(a queue page's rows and badges, the form renderer's <select> options): the same output as Django's,
without the lazy-argument check (keep_lazy) that Django's escape makes on every call, which was a tenth
of a list page. Django's own are right everywhere else; these are for code that runs thousands of
times a page. tests/core/test_html.py checks them against Django's."""

from html import escape as _escape

from django.utils.safestring import SafeString, mark_safe


def esc(value) -> str:
    """django.utils.html.conditional_escape: safe strings (anything with __html__) as they are, anything
    else as text, escaped (& < > " ')."""
    kind = type(value)  # the two common cases first, by exact type
    if kind is SafeString:
        return value
    if kind is str:
        return _escape(value)
    if isinstance(value, SafeString):
        return value
    html = getattr(value, "__html__", None)
    if html is not None:
        return html()
    return _escape(str(value))


def fmt(template: str, *args) -> SafeString:
    """django.utils.html.format_html (positional arguments)."""
    return mark_safe(template.format(*[esc(a) for a in args]))  # noqa: S308 - every argument escaped


def fmt_join(sep: str, template: str, rows) -> SafeString:
    """django.utils.html.format_html_join."""
    return mark_safe(esc(sep).join(template.format(*[esc(a) for a in row]) for row in rows))  # noqa: S308
