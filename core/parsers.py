"""What a request body may be, decided once for every endpoint.

Every write endpoint of the API takes a JSON object (or a form). The rules below turn anything else
into a 400 with the usual {"code", "message", "fields"} body instead of a TypeError or RecursionError
deep inside a view:

- the body must be a JSON *object* (`null`, `true`, `0`, a string or a list is refused);
- nesting deeper than `MAX_JSON_DEPTH` is refused (the stdlib decoder recurses: 50 000 nested lists
  raised RecursionError);
- `NaN`, `Infinity` and numbers that overflow to infinity (`1e999`) are refused;
- a body larger than `settings.DATA_UPLOAD_MAX_MEMORY_SIZE` is a 413 (core.middleware.RequestBodyGuardMiddleware).

`RequestBodyGuardMiddleware` applies the JSON rules to every API write before the view runs (so a
malformed body is a 400 even where the object does not exist or the view never reads the body) and
leaves the parsed object on the request; `JSONObjectParser`, the API's JSON parser, reuses it (or
applies the same rules where the middleware did not run).
"""

from __future__ import annotations

import codecs
import json
import math

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework.parsers import JSONParser

from .exceptions import ValidationFailed

MAX_JSON_DEPTH = 16  # the deepest body any endpoint takes is 3 levels; 16 leaves room for growth
_PARSED_ATTR = "_opsdesk_json_body"


class BodyRejected(ValidationFailed):
    default_code = "invalid_body"
    default_message = _("请求体格式不正确")


def _reject(message) -> BodyRejected:
    return BodyRejected(message, fields={"non_field_errors": [message]})


def _parse_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


def _parse_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("number out of range")
    return value


def _depth_exceeds(value, limit: int) -> bool:
    """True when `value` nests containers deeper than `limit` (iterative: no recursion to exhaust)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def json_object_from_text(text: str) -> dict:
    """The body as a dict, or BodyRejected (a 400) saying why not."""
    try:
        value = json.loads(text, parse_constant=_parse_constant, parse_float=_parse_float)
    except RecursionError:
        raise _reject(_("请求体嵌套层数过多（最多 %(n)s 层）") % {"n": MAX_JSON_DEPTH}) from None
    except ValueError as exc:
        message = _("请求体不是有效的 JSON：%(error)s") % {"error": exc}
        raise _reject(message) from None
    if not isinstance(value, dict):
        raise _reject(_("请求体须为 JSON 对象（{…}）"))
    if _depth_exceeds(value, MAX_JSON_DEPTH):
        raise _reject(_("请求体嵌套层数过多（最多 %(n)s 层）") % {"n": MAX_JSON_DEPTH})
    return value


def json_object_from_bytes(raw: bytes, encoding: str | None = None) -> dict:
    try:
        text = raw.decode(encoding or settings.DEFAULT_CHARSET)
    except (UnicodeDecodeError, LookupError):
        raise _reject(_("请求体须为 UTF-8 编码的 JSON")) from None
    return json_object_from_text(text)


def remember_parsed(request, value: dict) -> None:
    setattr(request, _PARSED_ATTR, value)


class JSONObjectParser(JSONParser):
    """The API's JSON parser (REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]): the rules above."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        request = parser_context.get("request")
        django_request = getattr(request, "_request", None)
        parsed = getattr(django_request, _PARSED_ATTR, None)
        if parsed is not None:
            return parsed
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        if stream is None:
            raise _reject(_("请求体须为 JSON 对象（{…}）"))
        try:
            text = codecs.getreader(encoding)(stream).read()
        except UnicodeDecodeError:
            raise _reject(_("请求体须为 UTF-8 编码的 JSON")) from None
        return json_object_from_text(text)
