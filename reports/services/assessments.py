"""The purchaser's receipt and assessment of the provider's materials, and the remediation that follows
(验收 2.1: the purchaser assesses the monthly and quarterly materials; 2.2–2.5: the final acceptance with a
written opinion, remediation and re-acceptance).

- The purchaser (an approver of the contract's purchaser, nobody else) records receipt of an issued package
  (or, for the final acceptance, of the service year's materials) and then its assessment: 合格 / 需整改 /
  不合格, comments, and remediation items (what, the provider's owner, the deadline).
- The provider (the item's owner or the project manager) answers an item with evidence: text, files,
  linked tickets or changes of that purchaser. The purchaser closes it or returns it (it reopens).
- Every step is checked against the transition tables (reports.selectors.assessments), written with an
  append-only AssessmentEvent in the same transaction, and told to the other side through the
  notification outbox. Deadlines remind both sides (remediation_remind, daily and idempotent).

The caller has loaded the package, contract, assessment or item through the access-checked selectors
(another purchaser's is a 404 there); these functions decide who may act (403) and when (409)."""

import datetime as dt
import hashlib
import uuid
from collections.abc import Iterable, Sequence

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role
from accounts.selectors import user_is_provider_staff, users_with_role
from changes.selectors import change_get_for_user
from core.db import after_commit, lock_one
from core.dispatch import enqueue
from core.exceptions import Conflict, IllegalTransition, NotFound, PermissionDenied, ValidationFailed
from core.limits import REASON_MAX_LENGTH, TEXT_MAX_LENGTH, TITLE_MAX_LENGTH
from core.services import notification_send
from core.uploads import upload_check
from tickets.models.reference import Contract
from tickets.selectors.tickets import ticket_get_for_user

from ..models import (
    AcceptancePackage,
    Assessment,
    AssessmentEvent,
    PeriodKind,
    RemediationAnswer,
    RemediationAttachment,
    RemediationItem,
    Verdict,
)
from ..selectors.assessments import (
    ASSESSMENT_TRANSITIONS,
    DUE_SOON_DAYS,
    REMEDIATION_TRANSITIONS,
    package_is_issued,
    user_is_owning_purchaser,
)

S = RemediationItem.State
MAX_ITEMS = 50
MAX_LINKS = 20
MAX_FILES = 10
FINAL_WINDOW_DAYS = 31  # the final acceptance may be received from the service year's last month on


def _event(assessment: Assessment, *, kind: str, actor, at: dt.datetime, item: RemediationItem | None = None,
           from_state: str = "", to_state: str = "", note: str = "") -> AssessmentEvent:
    return AssessmentEvent.objects.create(
        assessment=assessment, item=item, kind=kind, actor=actor, at=at, from_state=from_state, to_state=to_state, note=note
    )


def _purchaser_approvers(organization_id: int):
    return users_with_role(Role.APPROVER).filter(Q(organization_id=organization_id) | Q(organization__parent_id=organization_id))


def _managers():
    return users_with_role(Role.PROJECT_MANAGER)


def _subject(assessment: Assessment) -> str:
    if assessment.kind == Assessment.Kind.FINAL:
        return _("%(c)s 终验（第 %(r)s 轮）") % {"c": assessment.contract.code, "r": assessment.round}
    return _("%(c)s %(m)s 查验材料") % {"c": assessment.contract.code, "m": assessment.package.period_code}


def _check_received_on(received_on: dt.date | None, *, earliest: dt.date, today: dt.date) -> dt.date:
    if received_on is None:
        return today
    if received_on > today:
        raise ValidationFailed(fields={"received_on": [_("签收日期不能晚于今天")]})
    if received_on < earliest:
        raise ValidationFailed(fields={"received_on": [_("签收日期不能早于 %(d)s") % {"d": earliest.isoformat()}]})
    return received_on


def _receipt_recorded(assessment: Assessment, *, actor, now: dt.datetime, title: str) -> None:
    """A receipt (a stage's package, a final acceptance's round) on the assessment's timeline, and the
    project managers told with `title`."""
    _event(assessment, kind=AssessmentEvent.Kind.RECEIVED, actor=actor, at=now, to_state=assessment.state,
           note=assessment.received_on.isoformat())
    notification_send(
        recipients=_managers(), kind="assessment_received", title=title,
        url=f"/reports/assessments/{assessment.pk}/", dedupe_key=f"assessment-received:{assessment.pk}",
    )


def _refuse_unless_purchaser(actor, contract: Contract) -> None:
    if not user_is_owning_purchaser(actor, contract.purchaser_id):
        raise PermissionDenied(_("只有本合同采购人的审批人可以签收和评定"))


@transaction.atomic
def assessment_receive(
    *, actor: User, package: AcceptancePackage, received_on: dt.date | None = None, now: dt.datetime | None = None
) -> Assessment:
    """验收 2.1: The purchaser records that it received an issued package (date, who). Once per package."""
    now = now or timezone.now()
    _refuse_unless_purchaser(actor, package.contract)
    package = lock_one(AcceptancePackage.objects.select_related("contract", "report"), package.pk)
    if not package_is_issued(package):
        raise IllegalTransition(_("只有含已签发月报的查验材料包可以签收"), fields={"state": [package.task_state]})
    if Assessment.objects.filter(package=package, kind=Assessment.Kind.STAGE).exists():
        raise Conflict(_("该查验材料包已签收"))
    today = timezone.localdate(now)
    received_on = _check_received_on(received_on, earliest=timezone.localdate(package.generated_at), today=today)
    assessment = Assessment.objects.create(
        contract=package.contract, package=package, kind=Assessment.Kind.STAGE, received_on=received_on,
        received_by=actor, received_at=now,
    )
    _receipt_recorded(assessment, actor=actor, now=now, title=_("采购人已签收%(s)s") % {"s": _subject(assessment)})
    return assessment


@transaction.atomic
def assessment_final_receive(
    *, actor: User, contract: Contract, received_on: dt.date | None = None, package: AcceptancePackage | None = None,
    now: dt.datetime | None = None,
) -> Assessment:
    """验收 2.2, 2.5: The purchaser opens the final acceptance of the contract's service year (or, after a
    final acceptance that was not passed, the re-acceptance: the next round). From the service year's last
    month on; `package`, when given, is the issued package it judges (the service year's)."""
    now = now or timezone.now()
    _refuse_unless_purchaser(actor, contract)
    lock_one(Contract.objects.all(), contract.pk)  # serialises the rounds
    if package is not None and (package.contract_id != contract.pk or package.kind != PeriodKind.YEAR
                                or not package_is_issued(package)):
        raise ValidationFailed(fields={"package": [_("请选择本合同已签发的服务年度验收材料包")]})
    finals = Assessment.objects.filter(contract=contract, kind=Assessment.Kind.FINAL).order_by("-round")
    last = finals.first()
    if last is not None and last.state == Assessment.State.RECEIVED:
        raise IllegalTransition(_("上一轮终验尚未评定"), fields={"state": [last.state]})
    if last is not None and last.verdict == Verdict.PASS:
        raise IllegalTransition(_("本合同已通过终验"), fields={"state": [last.state]})
    today = timezone.localdate(now)
    earliest = contract.end_date - dt.timedelta(days=FINAL_WINDOW_DAYS - 1)
    if today < earliest:
        raise ValidationFailed(fields={"received_on": [
            _("服务期最后一个月（%(d)s 起）方可办理终验") % {"d": earliest.isoformat()}]})
    received_on = _check_received_on(received_on, earliest=earliest, today=today)
    assessment = Assessment.objects.create(
        contract=contract, package=package, kind=Assessment.Kind.FINAL, round=(last.round + 1) if last else 1,
        received_on=received_on, received_by=actor, received_at=now,
    )
    _receipt_recorded(assessment, actor=actor, now=now, title=_("采购人已开始%(s)s") % {"s": _subject(assessment)})
    return assessment


def _clean_items(items: Sequence[dict], *, verdict: str, today: dt.date) -> list[dict]:
    """Each item: title, detail, owner (a provider staff user or its id), deadline. Errors name the item
    (`items`: "第 n 项：…")."""
    if verdict == Verdict.PASS and items:
        raise ValidationFailed(fields={"items": [_("评定为合格时不能提出整改项")]})
    if verdict == Verdict.REMEDIATE and not items:
        raise ValidationFailed(fields={"items": [_("评定为需整改时请至少提出一项整改项")]})
    if len(items) > MAX_ITEMS:
        raise ValidationFailed(fields={"items": [_("整改项最多 %(n)s 项") % {"n": MAX_ITEMS}]})
    owner_ids = {i.get("owner").pk if isinstance(i.get("owner"), User) else i.get("owner") for i in items}
    owners = {u.pk: u for u in User.objects.filter(pk__in=[o for o in owner_ids if isinstance(o, int)], is_active=True)}
    errors, clean = [], []
    for n, raw in enumerate(items, start=1):
        title = (raw.get("title") or "").strip()
        detail = (raw.get("detail") or "").strip()
        owner_id = raw.get("owner").pk if isinstance(raw.get("owner"), User) else raw.get("owner")
        owner = owners.get(owner_id) if isinstance(owner_id, int) else None
        deadline = raw.get("deadline")
        if not title:
            errors.append(_("第 %(n)s 项：请填写整改事项") % {"n": n})
        elif len(title) > TITLE_MAX_LENGTH:
            errors.append(_("第 %(n)s 项：整改事项最多 %(m)s 字") % {"n": n, "m": TITLE_MAX_LENGTH})
        if len(detail) > TEXT_MAX_LENGTH:
            errors.append(_("第 %(n)s 项：具体要求最多 %(m)s 字") % {"n": n, "m": TEXT_MAX_LENGTH})
        if owner is None or not user_is_provider_staff(owner):
            errors.append(_("第 %(n)s 项：责任人须为服务商在职人员") % {"n": n})
        if not isinstance(deadline, dt.date):
            errors.append(_("第 %(n)s 项：请填写整改期限") % {"n": n})
        elif deadline < today:
            errors.append(_("第 %(n)s 项：整改期限不能早于今天") % {"n": n})
        clean.append({"title": title, "detail": detail, "owner": owner, "deadline": deadline})
    if errors:
        raise ValidationFailed(fields={"items": errors})
    return clean


@transaction.atomic
def assessment_assess(
    *, actor: User, assessment: Assessment, verdict: str, comments: str = "", items: Sequence[dict] = (),
    now: dt.datetime | None = None,
) -> Assessment:
    """验收 2.1, 2.2 (the purchaser assesses; the final acceptance's opinion): The purchaser's assessment of what it received: the verdict, comments (required unless 合格) and the
    remediation items. Once: an assessment is a record, a re-acceptance is a new round."""
    now = now or timezone.now()
    assessment = lock_one(Assessment.objects.select_related("contract", "package"), assessment.pk)
    ASSESSMENT_TRANSITIONS.check(action="assess", user=actor, obj=assessment)
    comments = (comments or "").strip()
    if verdict not in Verdict.values:
        raise ValidationFailed(fields={"verdict": [_("请选择评定结论")]})
    if verdict != Verdict.PASS and not comments:
        raise ValidationFailed(fields={"comments": [_("评定为需整改或不合格时请写明意见")]})
    if len(comments) > TEXT_MAX_LENGTH:
        raise ValidationFailed(fields={"comments": [_("最多 %(n)s 字") % {"n": TEXT_MAX_LENGTH}]})
    clean = _clean_items(list(items), verdict=verdict, today=timezone.localdate(now))
    from_state = assessment.state
    assessment.state = ASSESSMENT_TRANSITIONS["assess"].target
    assessment.verdict, assessment.comments = verdict, comments
    assessment.assessed_by, assessment.assessed_at = actor, now
    assessment.save(update_fields=["state", "verdict", "comments", "assessed_by", "assessed_at"])
    _event(assessment, kind=AssessmentEvent.Kind.ASSESSED, actor=actor, at=now, from_state=from_state,
           to_state=assessment.state, note=f"{Verdict(verdict).label}：{comments}" if comments else str(Verdict(verdict).label))
    subject = _subject(assessment)
    for number, data in enumerate(clean, start=1):
        item = RemediationItem.objects.create(assessment=assessment, number=number, created_at=now, **data)
        _event(assessment, kind=AssessmentEvent.Kind.ITEM_RAISED, actor=actor, at=now, item=item, to_state=item.state,
               note=f"{item.title}（{item.owner.display_name}，{item.deadline.isoformat()}）")
        notification_send(
            recipients=[item.owner], kind="remediation_raised",
            title=_("整改项：%(t)s（期限 %(d)s）") % {"t": item.title, "d": item.deadline.isoformat()},
            body=subject, url=f"/reports/remediation/{item.pk}/", dedupe_key=f"remediation-raised:{item.pk}",
        )
    notification_send(
        recipients=_managers(), kind="assessment_assessed",
        title=_("%(s)s评定为%(v)s") % {"s": subject, "v": Verdict(verdict).label},
        body=comments, url=f"/reports/assessments/{assessment.pk}/", dedupe_key=f"assessment-assessed:{assessment.pk}",
    )
    if assessment.kind == Assessment.Kind.FINAL:
        after_commit(lambda: _enqueue_opinion(assessment.pk))
    return assessment


def _enqueue_opinion(assessment_id: int) -> None:
    from ..tasks import final_opinion_render_task

    enqueue(final_opinion_render_task, assessment_id)


def _linked_tickets(actor: User, ids: Iterable, purchaser_id: int) -> list[int]:
    found = []
    for ticket_id in ids:
        try:
            ticket = ticket_get_for_user(user=actor, ticket_id=ticket_id, for_display=False)
        except NotFound:
            raise ValidationFailed(fields={"tickets": [_("工单 %(id)s 不存在") % {"id": ticket_id}]}) from None
        if ticket.organization_id != purchaser_id:
            raise ValidationFailed(fields={"tickets": [_("工单 %(n)s 不属于本合同的采购人") % {"n": ticket.number}]})
        found.append(ticket.pk)
    return found


def _linked_changes(actor: User, ids: Iterable, purchaser_id: int) -> list[int]:
    found = []
    for change_id in ids:
        try:
            change = change_get_for_user(user=actor, change_id=change_id)
        except NotFound:
            raise ValidationFailed(fields={"changes": [_("变更 %(id)s 不存在") % {"id": change_id}]}) from None
        if not change.business_systems.filter(organization_id=purchaser_id).exists():
            raise ValidationFailed(fields={"changes": [_("变更 %(n)s 不涉及本合同采购人的业务系统") % {"n": change.number}]})
        found.append(change.pk)
    return found


def _ids(values, field: str) -> list[int]:
    values = list(values or [])
    if len(values) > MAX_LINKS:
        raise ValidationFailed(fields={field: [_("最多关联 %(n)s 项") % {"n": MAX_LINKS}]})
    out = []
    for value in values:
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise ValidationFailed(fields={field: [_("请给出编号（整数）")]}) from None
        if not 0 < number < 2**63:
            raise ValidationFailed(fields={field: [_("请给出编号（整数）")]})
        if number not in out:
            out.append(number)
    return out


@transaction.atomic
def remediation_item_answer(
    *, actor: User, item: RemediationItem, text: str, tickets: Iterable = (), changes: Iterable = (),
    files: Sequence = (), now: dt.datetime | None = None,
) -> RemediationAnswer:
    """The provider answers an open item with its evidence: the item waits for the purchaser's decision.
    `files` are uploads (checked by core.uploads: size, whitelist, content); `tickets` and `changes` ids of
    records the actor reads and that belong to the contract's purchaser."""
    now = now or timezone.now()
    item = lock_one(RemediationItem.objects.select_related("assessment__contract", "assessment__package"), item.pk)
    REMEDIATION_TRANSITIONS.check(action="answer", user=actor, obj=item)
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(fields={"text": [_("请填写整改说明")]})
    if len(text) > TEXT_MAX_LENGTH:
        raise ValidationFailed(fields={"text": [_("最多 %(n)s 字") % {"n": TEXT_MAX_LENGTH}]})
    if len(files) > MAX_FILES:
        raise ValidationFailed(fields={"file": [_("一次最多上传 %(n)s 个文件") % {"n": MAX_FILES}]})
    purchaser_id = item.assessment.contract.purchaser_id
    ticket_ids = _linked_tickets(actor, _ids(tickets, "tickets"), purchaser_id)
    change_ids = _linked_changes(actor, _ids(changes, "changes"), purchaser_id)
    checked = [upload_check(f) for f in files]
    answer = RemediationAnswer.objects.create(item=item, text=text, author=actor, at=now)
    if ticket_ids:
        answer.tickets.set(ticket_ids)
    if change_ids:
        answer.changes.set(change_ids)
    for upload in checked:
        data = upload.file.read()
        attachment = RemediationAttachment(
            answer=answer, original_name=upload.name, content_type=upload.content_type, size=len(data),
            sha256=hashlib.sha256(data).hexdigest(), uploaded_by=actor, uploaded_at=now,
        )
        attachment.file.save(f"{uuid.uuid4().hex}.{upload.extension}", ContentFile(data), save=False)
        attachment.save()
    from_state = item.state
    item.state, item.answered_at = REMEDIATION_TRANSITIONS["answer"].target, now
    item.save(update_fields=["state", "answered_at"])
    _event(item.assessment, kind=AssessmentEvent.Kind.ANSWERED, actor=actor, at=now, item=item, from_state=from_state,
           to_state=item.state, note=text)
    notification_send(
        recipients=_purchaser_approvers(purchaser_id), kind="remediation_answered",
        title=_("整改项已答复，请确认：%(t)s") % {"t": item.title}, body=text[:500],
        url=f"/reports/remediation/{item.pk}/", dedupe_key=f"remediation-answered:{answer.pk}",
    )
    return answer


@transaction.atomic
def remediation_item_close(*, actor: User, item: RemediationItem, note: str = "", now: dt.datetime | None = None) -> RemediationItem:
    """The purchaser accepts the answer: the item is closed."""
    return _decide(actor=actor, item=item, action="close", note=note, now=now)


@transaction.atomic
def remediation_item_return(
    *, actor: User, item: RemediationItem, reason: str, deadline: dt.date | None = None, now: dt.datetime | None = None
) -> RemediationItem:
    """验收 2.5 (remediation until accepted): The purchaser does not accept the answer: the item reopens (with a new deadline when given), and
    the provider answers again."""
    return _decide(actor=actor, item=item, action="return", note=reason, deadline=deadline, now=now)


def _decide(*, actor, item: RemediationItem, action: str, note: str, deadline: dt.date | None = None,
            now: dt.datetime | None) -> RemediationItem:
    now = now or timezone.now()
    item = lock_one(RemediationItem.objects.select_related("assessment__contract", "assessment__package", "owner"), item.pk)
    spec = REMEDIATION_TRANSITIONS.check(action=action, user=actor, obj=item)
    note = (note or "").strip()
    if action == "return" and not note:
        raise ValidationFailed(fields={"reason": [_("请写明退回理由")]})
    if len(note) > REASON_MAX_LENGTH:
        raise ValidationFailed(fields={"reason" if action == "return" else "note": [_("最多 %(n)s 字") % {"n": REASON_MAX_LENGTH}]})
    fields = ["state"]
    if action == "return" and deadline is not None:
        if deadline < timezone.localdate(now):
            raise ValidationFailed(fields={"deadline": [_("整改期限不能早于今天")]})
        item.deadline = deadline
        fields.append("deadline")
    from_state = item.state
    item.state = spec.target
    if action == "close":
        item.closed_at = now
        fields.append("closed_at")
    else:
        item.returns += 1
        fields.append("returns")
    item.save(update_fields=fields)
    kind = AssessmentEvent.Kind.CLOSED if action == "close" else AssessmentEvent.Kind.RETURNED
    if action == "return" and deadline is not None:
        note = _("%(reason)s（新期限 %(d)s）") % {"reason": note, "d": deadline.isoformat()}
    _event(item.assessment, kind=kind, actor=actor, at=now, item=item, from_state=from_state, to_state=item.state, note=note)
    title = (_("整改项已被采购人关闭：%(t)s") if action == "close" else _("整改项被采购人退回，请重新整改：%(t)s")) % {"t": item.title}
    notification_send(
        recipients=[item.owner, *_managers()], kind=f"remediation_{action}", title=title, body=note,
        url=f"/reports/remediation/{item.pk}/", dedupe_key=f"remediation-{action}:{item.pk}:{now.isoformat()}",
    )
    return item


def remediation_remind(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """验收 2.5 (remediation within its deadline): Daily (idempotent: dedupe keys per item and day): open items within DUE_SOON_DAYS of their deadline
    remind the owner and the project managers; on the deadline and every day after it, the purchaser's
    approvers too (both sides). A bounded batch, the most urgent first."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    items = (
        RemediationItem.objects.filter(state=S.OPEN, deadline__lte=today + dt.timedelta(days=DUE_SOON_DAYS))
        .select_related("assessment__contract", "assessment__package", "owner")
        .order_by("deadline", "pk")[:limit]
    )
    managers = list(_managers())
    sent = 0
    for item in items:
        purchaser_id = item.assessment.contract.purchaser_id
        if item.deadline > today:
            recipients = [item.owner, *managers]
            kind, title = "remediation_due", _("整改项将于 %(d)s 到期：%(t)s")
        elif item.deadline == today:
            recipients = [item.owner, *managers, *_purchaser_approvers(purchaser_id)]
            kind, title = "remediation_due", _("整改项今天（%(d)s）到期：%(t)s")
        else:
            recipients = [item.owner, *managers, *_purchaser_approvers(purchaser_id)]
            kind, title = "remediation_overdue", _("整改项已逾期（期限 %(d)s）：%(t)s")
        with transaction.atomic():
            sent += len(notification_send(
                recipients=recipients, kind=kind, title=title % {"d": item.deadline.isoformat(), "t": item.title},
                body=_subject(item.assessment), url=f"/reports/remediation/{item.pk}/",
                dedupe_key=f"{kind}:{item.pk}:{item.deadline.isoformat()}:{today.isoformat()}",
            ))
    return sent


def final_opinion_render(*, assessment_id: int, now: dt.datetime | None = None) -> Assessment | None:
    """验收 2.2: Render the final acceptance's written opinion (书面验收意见, PDF) once the purchaser has assessed it, and
    keep it with its SHA-256. Idempotent: nothing when the row is gone, not final, not assessed or already
    rendered."""
    from ..pdf import render_pdf
    from ..selectors.opinion import final_opinion_data

    now = now or timezone.now()
    assessment = Assessment.objects.select_related("contract__purchaser", "contract__provider").filter(
        pk=assessment_id, kind=Assessment.Kind.FINAL, state=Assessment.State.ASSESSED, opinion_sha256=""
    ).first()
    if assessment is None:
        return None
    pdf = render_pdf("reports/pdf/opinion.html", final_opinion_data(assessment=assessment, now=now))
    with transaction.atomic():
        assessment = lock_one(Assessment.objects.all(), assessment_id)
        if assessment.opinion_sha256:
            return assessment
        assessment.opinion_file.save(
            f"opinion-{assessment.contract_id}-r{assessment.round}-{uuid.uuid4().hex[:8]}.pdf", ContentFile(pdf), save=False
        )
        assessment.opinion_sha256 = hashlib.sha256(pdf).hexdigest()
        assessment.opinion_generated_at = now
        assessment.save(update_fields=["opinion_file", "opinion_sha256", "opinion_generated_at"])
    return assessment


def final_opinions_pending(*, limit: int = 20) -> list[int]:
    """Assessed final acceptances whose opinion was never rendered (the broker lost the task): the daily
    job renders them."""
    return list(
        Assessment.objects.filter(kind=Assessment.Kind.FINAL, state=Assessment.State.ASSESSED, opinion_sha256="")
        .order_by("pk").values_list("pk", flat=True)[:limit]
    )
