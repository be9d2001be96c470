"""What the final acceptance's written opinion (书面验收意见, 验收 2.2) quotes: the service year's figures
— kpis_compute over the contract's start..end date, the one computation of every figure — the stage
assessments of the year and the whole remediation history."""

import datetime as dt

from ..models import Assessment
from .assessments import remediation_history
from .kpis import Scope, kpis_compute
from .periods import Period


def service_year(contract) -> Period:
    """The contract's service year, start to end date inclusive."""
    return Period(kind="year", first_day=contract.start_date, last_day=contract.end_date)


def final_opinion_data(*, assessment: Assessment, now: dt.datetime) -> dict:
    contract = assessment.contract
    period = service_year(contract)
    kpis = kpis_compute(period=period, scope=Scope(organization_id=contract.purchaser_id), now=min(now, period.end))
    stages = list(
        Assessment.objects.filter(contract=contract, kind=Assessment.Kind.STAGE)
        .select_related("package", "received_by", "assessed_by").order_by("package__month", "package__version")
    )
    previous = list(
        Assessment.objects.filter(contract=contract, kind=Assessment.Kind.FINAL, round__lt=assessment.round)
        .select_related("assessed_by").order_by("round")
    )
    items = list(remediation_history(contract=contract))
    return {
        "assessment": assessment,
        "contract": contract,
        "period": period,
        "kpi_rows": kpis.rows(),
        "stages": stages,
        "previous_rounds": previous,
        "items": items,
        "open_items": sum(1 for item in items if item.state != item.State.CLOSED),
        "now": now,
    }
