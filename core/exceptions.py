"""One error base with a code. Services raise these; `core.apis.exception_handler` renders them as
JSON {"code", "message", "fields"} with the status below, and page views show `message` to the user."""

from django.contrib import messages
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    status_code = 400
    default_code = "invalid"
    default_message = _("请求无效")

    def __init__(self, message=None, *, code: str | None = None, fields: dict | None = None) -> None:
        self.message = message if message is not None else self.default_message
        self.code = code or self.default_code
        self.fields = fields or {}
        super().__init__(str(self.message))


class ValidationFailed(DomainError):
    """Bad input: 400 with per-field messages."""

    status_code = 400
    default_code = "validation_failed"
    default_message = _("输入有误，请检查后重试")


class IllegalTransition(DomainError):
    """An action the object's current state does not allow: 409."""

    status_code = 409
    default_code = "illegal_transition"
    default_message = _("当前状态下不能执行此操作")


class Conflict(DomainError):
    """Somebody else got there first (a claim race, a duplicate): 409."""

    status_code = 409
    default_code = "conflict"
    default_message = _("操作冲突，请刷新后重试")


class PermissionDenied(DomainError):
    status_code = 403
    default_code = "permission_denied"
    default_message = _("您没有执行此操作的权限")


class NotFound(DomainError):
    """Also used for objects of another organisation, so their existence is not revealed."""

    status_code = 404
    default_code = "not_found"
    default_message = _("对象不存在")


# ---------------------------------------------------------------- the one adapter to API and pages

STATE_FIELDS = frozenset({"state", "status"})  # a refused transition names the state it found: not for people


def domain_error_fields(error: DomainError) -> dict[str, list[str]]:
    """The error's field messages as {field: [text, ...]}: the API's `fields` (core.apis.exception_handler)
    and what pages put beside their inputs."""
    return {name: [str(m) for m in (msgs if isinstance(msgs, (list, tuple)) else [msgs])] for name, msgs in error.fields.items()}


def domain_error_text(error: DomainError, *, placed: frozenset[str] | set[str] = frozenset()) -> str:
    """The whole error in one line for a page: the message, then the field messages not `placed`
    beside an input (nor already said in the message, nor a refused transition's state), in brackets."""
    message = str(error.message)
    details: list[str] = []
    for name, msgs in domain_error_fields(error).items():
        if name in placed or name in STATE_FIELDS:
            continue
        details.extend(m for m in msgs if m not in message and m not in details)
    return f"{message}（{'；'.join(details)}）" if details else message


def page_domain_error(error: DomainError, *, form=None, request=None, words_on_form: bool = True) -> str:
    """The one way a page shows a domain error: each field message beside the `form` input it belongs
    to, and the rest with the message exactly once — at the top of `form` (its error summary) when the
    page re-renders it, otherwise (no form, or `words_on_form` False) to the messages framework when
    `request` is given (pages that redirect). With `words_on_form` False and no request the page shows
    the returned words in its own alert. Never both: a message above the page and the form's summary
    saying the same thing twice. Returns those words."""
    if form is not None and not hasattr(form, "cleaned_data"):
        form = None  # a form the request did not fill (another of the page's forms was sent): not the place
    placed: set[str] = set()
    if form is not None:
        for name, msgs in domain_error_fields(error).items():
            if name in form.fields:
                for message in msgs:
                    form.add_error(name, message)
                placed.add(name)
    words = domain_error_text(error, placed=placed)
    # Every field beside its input and only the generic "check your input": the form says that already.
    said_beside_inputs = bool(placed) and not (error.fields.keys() - placed) and error.message == error.default_message
    if form is not None and words_on_form:
        if not said_beside_inputs:
            form.add_error(None, words)
    elif request is not None:
        messages.error(request, words)
    return words


def page_status(error: DomainError | None) -> int:
    """The HTTP status of a page re-rendered after a refused form or action.

    The message is on the page, in Chinese, with the input kept; like any re-rendered Django form the
    answer is 200, because a browser logs a 4xx document as a console error and the page is not an
    error: the user is told what to change. Only a refusal by role answers 403 (the page never offers
    such an action, so it takes a crafted or stale request). The JSON API keeps 400 / 409."""
    return 403 if isinstance(error, PermissionDenied) else 200
