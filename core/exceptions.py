"""One error base with a code. Services raise these; `core.apis.exception_handler` renders them as
JSON {"code", "message", "fields"} with the status below, and page views show `message` to the user."""

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
