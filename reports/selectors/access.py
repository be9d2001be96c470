"""Who may read which reports. Purchaser approvers: their own organisation; requesters: nothing;
provider staff and the provider's auditors: everything (read-only for auditors)."""

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role
from accounts.selectors import user_has_role, user_sees_all_tenants, user_tenant_id
from core.exceptions import NotFound, PermissionDenied
from tickets.models.reference import BusinessSystem, Contract

from ..models import AcceptancePackage, MonthlyReport
from .kpis import Scope


def user_may_read_reports(user: User | AnonymousUser) -> bool:
    """Reports and KPIs (验收 2.1, 8.2.9): provider staff and the provider's auditors for every purchaser,
    purchaser approvers and auditors for their own; requesters have no access. The reports' rule, kept here; pages of other
    apps get the links it allows through the ticket-link registry (reports.apps)."""
    return user_sees_all_tenants(user) or user_has_role(user, Role.APPROVER, Role.AUDITOR)


def require_report_reader(user) -> None:
    if not user_may_read_reports(user):
        raise PermissionDenied(_("报表与指标仅对采购人审批人、服务商人员和审计员开放"))


def kpi_scope_for_user(*, user, organization_id: int | None, business_system_id: int | None) -> Scope:
    """The scope a user asked for, after the access rule: another organisation's id is a 404."""
    require_report_reader(user)
    if not user_sees_all_tenants(user):
        own = user_tenant_id(user)
        if organization_id is not None and organization_id != own:
            raise NotFound()
        organization_id = own
    if business_system_id is not None:
        systems = BusinessSystem.objects.filter(pk=business_system_id)
        if organization_id is not None:
            systems = systems.filter(organization_id=organization_id)
        system = systems.values("organization_id").first()
        if system is None:
            raise NotFound()
    return Scope(organization_id=organization_id, business_system_id=business_system_id)


def contract_list_for_reports(*, user) -> QuerySet[Contract]:
    require_report_reader(user)
    qs = Contract.objects.select_related("purchaser", "provider").order_by("-start_date", "pk")
    return qs if user_sees_all_tenants(user) else qs.filter(purchaser_id=user_tenant_id(user))


def _readable(qs: QuerySet, *, user, issued: str) -> QuerySet:
    """`qs` (rows with a contract) as `user` may read it: everything for provider staff and auditors;
    a purchaser's own contracts' issued versions only (`issued`: the path to the report's status), since
    drafts are the provider's work in progress."""
    require_report_reader(user)
    if user_sees_all_tenants(user):
        return qs
    return qs.filter(contract__purchaser_id=user_tenant_id(user), **{issued: MonthlyReport.Status.ISSUED})


def monthly_report_list_for_user(*, user) -> QuerySet[MonthlyReport]:
    qs = MonthlyReport.objects.select_related("contract__purchaser", "generated_by", "issued_by")
    return _readable(qs, user=user, issued="status")


def _one(qs: QuerySet, pk):
    """Row `pk` of `qs`, or NotFound: a row the user may not read is not in `qs`, so it is a 404 too."""
    try:
        return qs.get(pk=pk)
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def monthly_report_get_for_user(*, user, report_id: int) -> MonthlyReport:
    return _one(monthly_report_list_for_user(user=user), report_id)


def package_list_for_user(*, user) -> QuerySet[AcceptancePackage]:
    qs = AcceptancePackage.objects.select_related("contract__purchaser", "generated_by", "report")
    return _readable(qs, user=user, issued="report__status")


def package_get_for_user(*, user, package_id: int) -> AcceptancePackage:
    return _one(package_list_for_user(user=user), package_id)


def contract_get_for_user(*, user, contract_id: int | None) -> Contract:
    qs = contract_list_for_reports(user=user)
    contract = qs.filter(pk=contract_id).first() if contract_id else qs.first()
    if contract is None:
        raise NotFound()
    return contract
