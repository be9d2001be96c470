"""{% main_nav %}: the main navigation of base.html (templates/core/_main_nav.html), rendered once per
menu, language and current page per process and reused: the same HTML on every page of a role, ~30
links with their translated labels, was rendered anew for every request."""

from django import template
from django.template.loader import get_template
from django.utils.translation import get_language

register = template.Library()

# (id of the menu, language, current URL name) -> (the menu itself, its HTML). The menus are core.navigation's
# built once per role combination (the same object for every request of those roles); the entry keeps the
# menu it was rendered from, so an id reused by another object is never taken for it.
_RENDERED: dict[tuple, tuple[object, str]] = {}


@register.simple_tag(takes_context=True)
def main_nav(context) -> str:
    nav = context.get("nav")
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    key = (id(nav), get_language(), getattr(match, "url_name", None))
    found = _RENDERED.get(key)
    if found is not None and found[0] is nav:
        return found[1]
    html = get_template("core/_main_nav.html").render({"nav": nav, "request": request})
    if len(_RENDERED) > 1024:  # bounded: menus × languages × pages
        _RENDERED.clear()
    _RENDERED[key] = (nav, html)
    return html
