"""API plumbing shared by every app: the exception handler and small helpers."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions as drf_exceptions
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .exceptions import DomainError, domain_error_fields


def _flatten(detail) -> str:
    if isinstance(detail, list):
        return " ".join(_flatten(d) for d in detail)
    if isinstance(detail, dict):
        return " ".join(_flatten(v) for v in detail.values())
    return str(detail)


def _fields(detail) -> dict:
    if isinstance(detail, dict):
        return {k: [str(x) for x in (v if isinstance(v, list) else [v])] if not isinstance(v, dict) else _fields(v)
                for k, v in detail.items()}
    return {"non_field_errors": [str(x) for x in (detail if isinstance(detail, list) else [detail])]}


def exception_handler(exc, context):
    """Every error leaves the API as {"code", "message", "fields"}."""
    if isinstance(exc, DomainError):
        return Response(
            {"code": exc.code, "message": str(exc.message), "fields": domain_error_fields(exc)},
            status=exc.status_code,
        )
    if isinstance(exc, RequestDataTooBig | TooManyFieldsSent):
        # The text fields of a multipart body past DATA_UPLOAD_MAX_MEMORY_SIZE (or too many fields).
        too_big = isinstance(exc, RequestDataTooBig)
        return Response(
            {"code": "request_too_large" if too_big else "validation_failed", "message": str(exc), "fields": {}},
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE if too_big else status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = drf_exceptions.ValidationError(detail)
    elif isinstance(exc, Http404):
        exc = drf_exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf_exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, drf_exceptions.ValidationError):
        response.data = {
            "code": "validation_failed",
            "message": _flatten(exc.detail) or "输入有误",
            "fields": _fields(exc.detail),
        }
        response.status_code = status.HTTP_400_BAD_REQUEST
    else:
        detail = getattr(exc, "detail", None)
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        response.data = {"code": str(code), "message": _flatten(detail) if detail is not None else str(exc), "fields": {}}
    return response

