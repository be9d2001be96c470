import time

from django.conf import settings
from django.contrib.auth import logout
from django.utils import translation

_KEY = "_opsdesk_last_seen"


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
            else:
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

