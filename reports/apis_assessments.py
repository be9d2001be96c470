"""REST API of the purchaser's assessments and the remediation items (mounted under /api/v1/reports/).
Views parse input, load through the access-checked selectors (another purchaser's: 404), call one
service (who may: 403, when: 409), render."""

import django_filters
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api_lists import SelectorRowsMixin
from core.exceptions import NotFound
from core.filters import FilterBackend
from core.limits import REASON_MAX_LENGTH, TEXT_MAX_LENGTH, TITLE_MAX_LENGTH
from core.parsers import JSONObjectParser
from core.uploads import attachment_download

from .models import Assessment, RemediationItem, Verdict
from .selectors.access import contract_get_for_user, package_get_for_user
from .selectors.assessments import (
    assessment_actions_for,
    assessment_events,
    assessment_get_for_user,
    assessment_list_for_user,
    remediation_answers,
    remediation_attachment_get_for_user,
    remediation_item_actions_for,
    remediation_item_get_for_user,
    remediation_item_list_for_user,
    remediation_item_overdue,
    remediation_items_open,
    remediation_items_overdue,
)
from .services.assessments import (
    assessment_assess,
    assessment_final_receive,
    assessment_receive,
    remediation_item_answer,
    remediation_item_close,
    remediation_item_return,
)


class _Person(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="display_name")


class AssessmentOutput(serializers.ModelSerializer):
    contract = serializers.IntegerField(source="contract_id")
    contract_code = serializers.CharField(source="contract.code")
    package = serializers.IntegerField(source="package_id", allow_null=True)
    month = serializers.DateField(source="package.month", format="%Y-%m", default=None, allow_null=True,
                                  help_text="查验材料包期间的第一天所在月份")
    period = serializers.CharField(source="package.period_code", default=None, allow_null=True,
                                   help_text="查验材料包的期间：YYYY-MM、YYYY-Qn 或服务年度")
    package_kind = serializers.CharField(source="package.kind", default=None, allow_null=True)
    received_by = _Person()
    assessed_by = _Person(allow_null=True)
    open_items = serializers.IntegerField(read_only=True, default=None)
    item_count = serializers.IntegerField(read_only=True, default=None)
    opinion_url = serializers.SerializerMethodField()

    class Meta:
        model = Assessment
        fields = ["id", "contract", "contract_code", "kind", "round", "package", "package_kind", "month", "period", "state",
                  "received_on",
                  "received_by", "received_at", "verdict", "comments", "assessed_by", "assessed_at", "open_items",
                  "item_count", "opinion_sha256", "opinion_url"]

    def get_opinion_url(self, obj) -> str | None:
        return f"/api/v1/reports/assessments/{obj.pk}/opinion.pdf" if obj.opinion_sha256 else None


class ItemOutput(serializers.ModelSerializer):
    assessment = serializers.IntegerField(source="assessment_id")
    contract = serializers.IntegerField(source="assessment.contract_id")
    month = serializers.DateField(source="assessment.package.month", format="%Y-%m", default=None, allow_null=True)
    owner = _Person()
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = RemediationItem
        fields = ["id", "assessment", "contract", "month", "number", "title", "detail", "owner", "deadline", "state",
                  "overdue", "created_at", "answered_at", "closed_at", "returns"]

    def get_overdue(self, obj) -> bool:
        return remediation_item_overdue(obj, today=timezone.localdate())


class EventOutput(serializers.Serializer):
    id = serializers.IntegerField()
    item = serializers.IntegerField(source="item_id", allow_null=True)
    kind = serializers.CharField()
    kind_display = serializers.CharField(source="get_kind_display")
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    actor = _Person()
    at = serializers.DateTimeField()
    note = serializers.CharField()


class AssessmentDetailOutput(AssessmentOutput):
    items = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    class Meta(AssessmentOutput.Meta):
        fields = [*AssessmentOutput.Meta.fields, "items", "events", "actions"]

    def get_items(self, obj) -> list[dict]:
        return ItemOutput(obj.items.select_related("owner", "assessment__package").order_by("number"), many=True).data

    def get_events(self, obj) -> list[dict]:
        return EventOutput(assessment_events(assessment=obj), many=True).data

    def get_actions(self, obj) -> list[str]:
        return assessment_actions_for(user=self.context["request"].user, assessment=obj)


class AttachmentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="original_name")
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    download_url = serializers.SerializerMethodField()

    def get_download_url(self, obj) -> str:
        return f"/api/v1/reports/remediation-items/{obj.answer.item_id}/attachments/{obj.pk}/"


class _Linked(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()


class AnswerOutput(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    author = _Person()
    at = serializers.DateTimeField()
    attachments = AttachmentOutput(many=True)
    tickets = _Linked(many=True)
    changes = _Linked(many=True)


class ItemDetailOutput(ItemOutput):
    answers = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    class Meta(ItemOutput.Meta):
        fields = [*ItemOutput.Meta.fields, "answers", "events", "actions"]

    def get_answers(self, obj) -> list[dict]:
        return AnswerOutput(remediation_answers(item=obj), many=True).data

    def get_events(self, obj) -> list[dict]:
        return EventOutput(obj.events.select_related("actor").order_by("at", "pk"), many=True).data

    def get_actions(self, obj) -> list[str]:
        return remediation_item_actions_for(user=self.context["request"].user, item=obj)


class AssessmentFilter(django_filters.FilterSet):
    contract = django_filters.NumberFilter(field_name="contract_id")
    package = django_filters.NumberFilter(field_name="package_id")
    kind = django_filters.ChoiceFilter(choices=Assessment.Kind.choices)
    state = django_filters.ChoiceFilter(choices=Assessment.State.choices)
    verdict = django_filters.ChoiceFilter(choices=Verdict.choices)

    class Meta:
        model = Assessment
        fields = ["contract", "package", "kind", "state", "verdict"]


class ReceiveInput(serializers.Serializer):
    package = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1,
                                       help_text="查验材料包 id（阶段查验；终验时可选）")
    contract = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1, help_text="合同 id（终验）")
    kind = serializers.ChoiceField(choices=Assessment.Kind.choices, default=Assessment.Kind.STAGE)
    received_on = serializers.DateField(required=False, help_text="签收日期，默认今天")

    def validate(self, attrs):
        if attrs["kind"] == Assessment.Kind.STAGE and not attrs.get("package"):
            raise serializers.ValidationError({"package": [_("请选择查验材料包")]})
        if attrs["kind"] == Assessment.Kind.FINAL and not attrs.get("contract"):
            raise serializers.ValidationError({"contract": [_("请选择合同")]})
        return attrs


@extend_schema_view(
    get=extend_schema(operation_id="reports_assessments_list", summary="验收评定（签收与评定）", responses=AssessmentOutput(many=True)),
    post=extend_schema(summary="采购人签收查验材料包或开始终验", request=ReceiveInput, responses={201: AssessmentOutput}),
)
class AssessmentListApi(SelectorRowsMixin, ListAPIView):
    """GET the assessments the user reads, newest first. POST (the owning purchaser's approver): receipt
    of an issued package (`package`, `received_on`), or with `kind=final` and `contract` the final
    acceptance (the next round after one not passed)."""

    queryset = Assessment.objects.none()  # the model, for the schema
    serializer_class = AssessmentOutput
    filter_backends = [FilterBackend]
    filterset_class = AssessmentFilter

    def rows(self, request, kwargs):
        return assessment_list_for_user(user=request.user).order_by("-received_at", "-pk")


    def post(self, request):
        data = ReceiveInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        package = package_get_for_user(user=request.user, package_id=values["package"]) if values.get("package") else None
        if values["kind"] == Assessment.Kind.FINAL:
            contract = contract_get_for_user(user=request.user, contract_id=values["contract"])
            assessment = assessment_final_receive(actor=request.user, contract=contract, package=package,
                                                  received_on=values.get("received_on"))
        else:
            assessment = assessment_receive(actor=request.user, package=package, received_on=values.get("received_on"))
        return Response(AssessmentOutput(assessment_get_for_user(user=request.user, assessment_id=assessment.pk)).data,
                        status=status.HTTP_201_CREATED)


class AssessmentDetailApi(APIView):
    @extend_schema(summary="验收评定详情（含整改项与记录）", responses=AssessmentDetailOutput)
    def get(self, request, pk: int):
        assessment = assessment_get_for_user(user=request.user, assessment_id=pk)
        return Response(AssessmentDetailOutput(assessment, context={"request": request}).data)


class ItemInput(serializers.Serializer):
    title = serializers.CharField(max_length=TITLE_MAX_LENGTH)
    detail = serializers.CharField(max_length=TEXT_MAX_LENGTH, required=False, allow_blank=True, default="")
    owner = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="服务商责任人的用户 id")
    deadline = serializers.DateField()


class AssessInput(serializers.Serializer):
    verdict = serializers.ChoiceField(choices=Verdict.choices)
    comments = serializers.CharField(max_length=TEXT_MAX_LENGTH, required=False, allow_blank=True, default="")
    items = ItemInput(many=True, required=False, default=list)


class AssessmentAssessApi(APIView):
    @extend_schema(summary="采购人评定：合格 / 需整改 / 不合格，意见与整改项", request=AssessInput, responses=AssessmentDetailOutput)
    def post(self, request, pk: int):
        assessment = assessment_get_for_user(user=request.user, assessment_id=pk)
        data = AssessInput(data=request.data)
        data.is_valid(raise_exception=True)
        assessment_assess(actor=request.user, assessment=assessment, **data.validated_data)
        fresh = assessment_get_for_user(user=request.user, assessment_id=pk)
        return Response(AssessmentDetailOutput(fresh, context={"request": request}).data)


class AssessmentOpinionApi(APIView):
    @extend_schema(summary="终验书面验收意见（PDF）", responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request, pk: int):
        assessment = assessment_get_for_user(user=request.user, assessment_id=pk)
        return opinion_response(request.user, assessment)


def opinion_response(user, assessment: Assessment) -> FileResponse:
    """The final opinion PDF, for the API and the page: audited, no-store, sandboxed (core.uploads)."""
    if not assessment.opinion_sha256:
        raise NotFound(_("验收意见书尚未生成"))
    response = attachment_download(
        actor=user, obj=assessment, file=assessment.opinion_file,
        filename=f"验收意见书-{assessment.contract.code}-第{assessment.round}轮.pdf", content_type="application/pdf",
        detail=f"验收意见书 sha256={assessment.opinion_sha256}",
    )
    response["X-Content-SHA256"] = assessment.opinion_sha256
    return response


class ItemFilter(django_filters.FilterSet):
    contract = django_filters.NumberFilter(field_name="assessment__contract_id")
    assessment = django_filters.NumberFilter(field_name="assessment_id")
    owner = django_filters.NumberFilter(field_name="owner_id")
    state = django_filters.ChoiceFilter(choices=RemediationItem.State.choices)
    open = django_filters.BooleanFilter(method="filter_open", label="未关闭")
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="已逾期（待整改且过了期限）")

    class Meta:
        model = RemediationItem
        fields = ["contract", "assessment", "owner", "state", "open", "overdue"]

    def filter_open(self, queryset, name, value):
        return remediation_items_open(queryset) if value else queryset.filter(state=RemediationItem.State.CLOSED)

    def filter_overdue(self, queryset, name, value):
        overdue = remediation_items_overdue(queryset, today=timezone.localdate())
        return overdue if value else queryset.exclude(pk__in=overdue.values("pk"))


@extend_schema_view(get=extend_schema(operation_id="reports_remediation_items_list", summary="整改项", responses=ItemOutput(many=True)))
class RemediationItemListApi(SelectorRowsMixin, ListAPIView):
    queryset = RemediationItem.objects.none()  # the model, for the schema
    serializer_class = ItemOutput
    filter_backends = [FilterBackend]
    filterset_class = ItemFilter

    def rows(self, request, kwargs):
        return remediation_item_list_for_user(user=request.user).order_by("deadline", "pk")


class RemediationItemDetailApi(APIView):
    @extend_schema(summary="整改项详情（答复、证据与记录）", responses=ItemDetailOutput)
    def get(self, request, pk: int):
        item = remediation_item_get_for_user(user=request.user, item_id=pk)
        return Response(ItemDetailOutput(item, context={"request": request}).data)


class AnswerInput(serializers.Serializer):
    text = serializers.CharField(max_length=TEXT_MAX_LENGTH)
    tickets = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), required=False, default=list,
                                    help_text="关联工单 id")
    changes = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), required=False, default=list,
                                    help_text="关联变更 id")
    file = serializers.ListField(child=serializers.FileField(), required=False, default=list, help_text="证据附件（可多个）")


def _item_response(request, pk: int) -> Response:
    item = remediation_item_get_for_user(user=request.user, item_id=pk)
    return Response(ItemDetailOutput(item, context={"request": request}).data)


class RemediationItemAnswerApi(APIView):
    parser_classes = [JSONObjectParser, MultiPartParser, FormParser]  # files with the answer

    @extend_schema(summary="服务商答复整改项（说明、附件、关联工单或变更）", request={"multipart/form-data": AnswerInput, "application/json": AnswerInput},
                   responses=ItemDetailOutput)
    def post(self, request, pk: int):
        item = remediation_item_get_for_user(user=request.user, item_id=pk)
        raw = request.data
        if hasattr(raw, "getlist"):  # multipart: repeated keys are lists
            raw = {"text": raw.get("text", ""), "tickets": raw.getlist("tickets"), "changes": raw.getlist("changes"),
                   "file": request.FILES.getlist("file")}
        data = AnswerInput(data=raw)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        remediation_item_answer(actor=request.user, item=item, text=values["text"], tickets=values["tickets"],
                                changes=values["changes"], files=values["file"])
        return _item_response(request, pk)


class CloseInput(serializers.Serializer):
    note = serializers.CharField(max_length=REASON_MAX_LENGTH, required=False, allow_blank=True, default="")


class ReturnInput(serializers.Serializer):
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH)
    deadline = serializers.DateField(required=False, allow_null=True, default=None, help_text="新的整改期限（可选）")


class RemediationItemCloseApi(APIView):
    @extend_schema(summary="采购人确认关闭整改项", request=CloseInput, responses=ItemDetailOutput)
    def post(self, request, pk: int):
        item = remediation_item_get_for_user(user=request.user, item_id=pk)
        data = CloseInput(data=request.data)
        data.is_valid(raise_exception=True)
        remediation_item_close(actor=request.user, item=item, note=data.validated_data["note"])
        return _item_response(request, pk)


class RemediationItemReturnApi(APIView):
    @extend_schema(summary="采购人退回整改项（重新打开）", request=ReturnInput, responses=ItemDetailOutput)
    def post(self, request, pk: int):
        item = remediation_item_get_for_user(user=request.user, item_id=pk)
        data = ReturnInput(data=request.data)
        data.is_valid(raise_exception=True)
        remediation_item_return(actor=request.user, item=item, **data.validated_data)
        return _item_response(request, pk)


class RemediationAttachmentDownloadApi(APIView):
    """The file, as a download only, after the access check (core.uploads.attachment_download)."""

    @extend_schema(summary="整改证据附件", responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, pk: int, attachment_id: int):
        attachment = remediation_attachment_get_for_user(user=request.user, item_id=pk, attachment_id=attachment_id)
        return attachment_download(
            actor=request.user, obj=attachment, filename=attachment.original_name, content_type=attachment.content_type,
            detail=f"整改证据 {attachment.original_name}",
        )
