import time

from django.conf import settings
from django.contrib.auth import logout
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils import translation
from django.utils.translation import gettext

from .exceptions import DomainError
from .parsers import json_object_from_bytes, remember_parsed

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


# Largest signed 64-bit integer: every id and integer column of the database fits in it.
INT64_MAX = 2**63 - 1
_WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_DRAIN_AT_MOST = 64 * 1024 * 1024  # read (and drop) an oversized body up to this size so the client sees the 413


def error_response(request, *, status: int, code: str, message: str, fields: dict | None = None):
    """The API's {"code", "message", "fields"} body for /api/ paths, a short Chinese page otherwise."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"code": code, "message": message, "fields": fields or {}}, status=status, json_dumps_params={"ensure_ascii": False}
        )
    return HttpResponse(
        f'<!DOCTYPE html><html lang="zh-hans"><head><meta charset="utf-8"><title>{status}</title></head>'
        f"<body><h1>{status}</h1><p>{message}</p></body></html>",
        status=status,
    )


def _drain(request, length: int) -> None:
    """Read the unread body so the server can answer before closing (else the client sees a reset)."""
    stream = request.META.get("wsgi.input")
    remaining = min(length, _DRAIN_AT_MOST)
    try:
        while stream is not None and remaining > 0:
            chunk = stream.read(min(remaining, 64 * 1024))
            if not chunk:
                break
            remaining -= len(chunk)
    except OSError:
        pass


class RequestBodyGuardMiddleware:
    """One rule for every request body and path id, before any view runs (core/parsers.py):

    - a non-multipart body longer than DATA_UPLOAD_MAX_MEMORY_SIZE (OPSDESK_REQUEST_MAX_BYTES) is a 413
      (DRF reads JSON and form bodies from the stream, past Django's own check); multipart uploads
      keep their own limit (the attachment size; their text fields count against the same setting);
    - an API write with a JSON body must carry a JSON object of bounded depth, else 400;
    - an integer path argument beyond 64 bits is a 400 (never an OverflowError from the driver).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in _WRITE_METHODS:
            rejected = self._check_body(request)
            if rejected is not None:
                return rejected
        return self.get_response(request)

    def _check_body(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length <= 0:
            return None
        content_type = request.content_type or ""
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        too_large = limit is not None and content_type != "multipart/form-data" and length > limit
        if too_large:
            _drain(request, length)
        elif content_type == "multipart/form-data" and request.method == "POST":
            # Files stream to disk; the text fields count against the limit (Django raises while parsing).
            try:
                request.POST  # noqa: B018 - parsed once here, cached for the view
            except RequestDataTooBig:
                too_large = True
            except MultiPartParserError:
                pass  # a malformed body: the view reports it
        if too_large:
            return error_response(
                request, status=413, code="request_too_large",
                message=gettext("请求体过大（上限 %(n)s 字节）") % {"n": limit},
            )
        if request.path.startswith("/api/") and content_type.endswith("json"):
            try:
                remember_parsed(request, json_object_from_bytes(request.body, request.encoding))
            except DomainError as error:
                return error_response(
                    request, status=error.status_code, code=error.code, message=str(error.message),
                    fields={k: [str(m) for m in v] for k, v in error.fields.items()},
                )
        return None

    def process_view(self, request, view_func, view_args, view_kwargs):
        too_big = [name for name, value in view_kwargs.items() if isinstance(value, int) and not -INT64_MAX - 1 <= value <= INT64_MAX]
        if too_big:
            message = gettext("编号超出范围")
            return error_response(request, status=400, code="validation_failed", message=message,
                                  fields={name: [message] for name in too_big})
        return None
