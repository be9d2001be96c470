import time

from django.conf import settings
from django.contrib.auth import logout
from django.http.multipartparser import MultiPartParserError
from django.utils import translation

_KEY = "_opsdesk_last_seen"


_ACTIVITY_RESOLUTION_SECONDS = 60


class IdleSessionTimeoutMiddleware:
    """Log out a browser session idle for SESSION_IDLE_TIMEOUT_MINUTES (token API calls are unaffected)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session") and not request.session.is_empty():
            now = time.time()
            last = request.session.get(_KEY)
            limit = settings.SESSION_IDLE_TIMEOUT_MINUTES * 60
            if last is not None and now - last > limit:
                logout(request)
            elif last is None or now - last >= _ACTIVITY_RESOLUTION_SECONDS:
                # Recorded at most once a minute: writing the session row on every request cost a
                # transaction and an UPDATE per page view, for a timeout counted in tens of minutes.
                request.session[_KEY] = now
        return self.get_response(request)


class LanguageMiddleware:
    """Chinese first: the interface is zh-hans unless the user chose another language with the
    switch (the language cookie). The browser's Accept-Language is deliberately ignored, so that a
    shared duty-room machine with an English browser still shows the Chinese interface."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response


def content_security_policy() -> str:
    """The policy string from settings.OPSDESK_CSP ({directive: [sources]})."""
    return "; ".join(f"{name} {' '.join(sources)}".strip() for name, sources in settings.OPSDESK_CSP.items())


class SecurityHeadersMiddleware:
    """Content-Security-Policy on every response, in every mode (no inline script is ever allowed),
    plus Referrer-Policy and X-Content-Type-Options where SecurityMiddleware did not set them."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = content_security_policy()

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        response.headers.setdefault("Referrer-Policy", settings.SECURE_REFERRER_POLICY or "same-origin")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response


class PlainNotFoundMiddleware:
    """A page view that raises Http404 (a missing object, or another organisation's, which is the same
    answer on purpose) gets the site's own Chinese 404 page in every mode. Without this, DEBUG (`make
    run`) showed Django's technical page listing the URLconf for a refused ticket. API views are DRF
    views and answer their JSON 404 themselves; unmatched URLs still get Django's handler404."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.http import Http404
        from django.views.defaults import page_not_found

        if isinstance(exception, Http404) and not request.path.startswith("/api/"):
            return page_not_found(request, exception)
        return None


class RejectNulBytesMiddleware:
    """Answer 400 when a query parameter or form field (name or value) contains a NUL byte.

    PostgreSQL cannot store or compare text containing \\x00 and raises an error deep inside the
    view; no legitimate client sends one. API requests get the usual {"code","message","fields"} body,
    pages Django's 400 page. JSON bodies are not read here: DRF's CharField already rejects NUL."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        bad = _nul_fields(request.GET)
        if not bad and request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            try:
                bad = _nul_fields(request.POST)
            except MultiPartParserError:  # a malformed body: the view reports it as before
                bad = []
        if bad:
            return _nul_response(request, bad)
        return self.get_response(request)


def _nul_fields(data) -> list[str]:
    bad = []
    for key, values in data.lists():
        if "\x00" in key or any(isinstance(v, str) and "\x00" in v for v in values):
            bad.append(key.replace("\x00", "\\x00"))
    return bad


def _nul_response(request, fields: list[str]):
    from django.core.exceptions import SuspiciousOperation
    from django.http import JsonResponse
    from django.utils.translation import gettext
    from django.views.defaults import bad_request

    message = gettext("输入中含有不允许的空字符（NUL）")
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"code": "validation_failed", "message": message, "fields": {name: [message] for name in fields}},
            status=400,
            json_dumps_params={"ensure_ascii": False},
        )
    return bad_request(request, SuspiciousOperation(message))
