"""Saved views of the ticket list (/api/v1/ticket-views/…): each user's own; another user's is a 404."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api_lists import SelectorRowsMixin

from .listing import ticket_list_query_clean, ticket_list_url
from .models import SAVED_VIEW_NAME_MAX_LENGTH, SAVED_VIEW_QUERY_MAX_LENGTH, SavedTicketView
from .selectors.saved_views import saved_view_get_for_user, saved_view_list_for_user
from .services.saved_views import saved_view_create, saved_view_delete, saved_view_update


class SavedViewSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=SAVED_VIEW_NAME_MAX_LENGTH)
    query = serializers.CharField(max_length=SAVED_VIEW_QUERY_MAX_LENGTH, allow_blank=True,
                                  help_text="The ticket list's query string, e.g. kind=fault&severity=P1&queue=mine")
    is_default = serializers.BooleanField(required=False, default=False)
    list_url = serializers.SerializerMethodField(help_text="The list page showing this view")
    api_url = serializers.SerializerMethodField(help_text="The same tickets from the API")
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    def get_list_url(self, view: SavedTicketView) -> str:
        return ticket_list_url(view.query, user=self.context["request"].user)

    def get_api_url(self, view: SavedTicketView) -> str:
        return f"/api/v1/tickets/?{view.query}" if view.query else "/api/v1/tickets/"


class SavedViewUpdateInput(serializers.Serializer):
    name = serializers.CharField(max_length=SAVED_VIEW_NAME_MAX_LENGTH, required=False)
    is_default = serializers.BooleanField(required=False)


class SavedViewListApi(SelectorRowsMixin, generics.ListAPIView):
    """GET: the user's saved views. POST {name, query, is_default}: save one (the query is checked as
    the list reads it: 400 naming the wrong filter)."""

    serializer_class = SavedViewSerializer
    queryset = SavedTicketView.objects.none()  # the model, for the schema
    auditor_may_write = True  # a user's own views of the list, not the desk's records

    def rows(self, request, kwargs):
        return saved_view_list_for_user(user=request.user)

    @extend_schema(request=SavedViewSerializer, responses={201: SavedViewSerializer})
    def post(self, request):
        data = SavedViewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        query = ticket_list_query_clean(v["query"], user=request.user)
        view = saved_view_create(actor=request.user, name=v["name"], query=query, is_default=v["is_default"])
        return Response(SavedViewSerializer(view, context={"request": request}).data, status=status.HTTP_201_CREATED)


class SavedViewDetailApi(APIView):
    auditor_may_write = True
    @extend_schema(responses=SavedViewSerializer)
    def get(self, request, pk: int):
        return Response(SavedViewSerializer(saved_view_get_for_user(user=request.user, view_id=pk), context={"request": request}).data)

    @extend_schema(request=SavedViewUpdateInput, responses=SavedViewSerializer)
    def patch(self, request, pk: int):
        view = saved_view_get_for_user(user=request.user, view_id=pk)
        data = SavedViewUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        view = saved_view_update(actor=request.user, view=view, **data.validated_data)
        return Response(SavedViewSerializer(view, context={"request": request}).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        saved_view_delete(actor=request.user, view=saved_view_get_for_user(user=request.user, view_id=pk))
        return Response(status=status.HTTP_204_NO_CONTENT)
