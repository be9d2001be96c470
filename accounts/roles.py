"""The roles of OpsDesk. Each is a Django group (created by migration) whose name is the code below.

Access rules in services and selectors ask `user_roles(user)`; nothing else reads group names.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    REQUESTER = "requester", _("报障人（采购人）")
    APPROVER = "approver", _("审批人（采购人）")
    ENGINEER = "engineer", _("运维工程师")
    TECH_LEAD = "tech_lead", _("技术负责人")
    DUTY_LEADER = "duty_leader", _("值班负责人")
    PROJECT_MANAGER = "project_manager", _("项目经理")
    AUDITOR = "auditor", _("审计员（只读）")


PURCHASER_ROLES = frozenset({Role.REQUESTER, Role.APPROVER})
PROVIDER_ROLES = frozenset({Role.ENGINEER, Role.TECH_LEAD, Role.DUTY_LEADER, Role.PROJECT_MANAGER})
MANAGER_ROLES = frozenset({Role.DUTY_LEADER, Role.PROJECT_MANAGER})
