"""The one guard of every app's pages: signed in, and a domain refusal that escapes a view becomes the
403 or 404 page (core.exceptions.page_domain_error shows the others on the page itself)."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404

from .exceptions import NotFound, PermissionDenied


def page_refusal(exc: PermissionDenied | NotFound) -> Exception:
    """The HTTP error a page answers for a refusal by role (403) or by organisation (404)."""
    if isinstance(exc, NotFound):
        return Http404(str(exc.message))
    return DjangoPermissionDenied(str(exc.message))


def signed_in_page(view):
    """Signed in; PermissionDenied and NotFound that escape the view become the 403 / 404 page."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except (PermissionDenied, NotFound) as exc:
            raise page_refusal(exc) from exc

    return wrapper
