"""A user's saved views of the ticket list (issue 19 item 10): a name for a query string of the list's
filters (tickets.listing), at most one of them the user's default. Nobody else sees them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

SAVED_VIEW_NAME_MAX_LENGTH = 40
SAVED_VIEW_QUERY_MAX_LENGTH = 1000


class SavedTicketView(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("所有者"), on_delete=models.CASCADE,
                              related_name="saved_ticket_views")
    name = models.CharField(_("名称"), max_length=SAVED_VIEW_NAME_MAX_LENGTH)
    query = models.CharField(_("筛选条件"), max_length=SAVED_VIEW_QUERY_MAX_LENGTH, blank=True,
                             help_text=_("工单列表的查询字符串，例如 kind=fault&severity=P1"))
    is_default = models.BooleanField(_("默认视图"), default=False)
    created_at = models.DateTimeField(_("创建时间"))
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        verbose_name = _("已保存的工单视图")
        verbose_name_plural = _("已保存的工单视图")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="savedview_owner_name_uniq"),
            models.UniqueConstraint(fields=["owner"], condition=Q(is_default=True), name="savedview_one_default"),
        ]

    def __str__(self) -> str:
        return self.name
