"""The user's saved views of the ticket list, from the list and queue pages: save the current filters,
rename, make default, delete. The outcome is a message on the page the user came from."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exceptions import DomainError, NotFound, domain_error_text

from ..forms import SavedViewEditForm, SavedViewForm
from ..listing import ticket_list_query_clean, ticket_list_url
from ..selectors.saved_views import saved_view_get_for_user
from ..services.saved_views import saved_view_create, saved_view_delete, saved_view_update


def _back(request, fallback: str = ""):
    target = request.POST.get("next", "")
    if target.startswith("/tickets/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(fallback or "ticket-list")


def _form_errors(request, form) -> None:
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields and form.fields[name].label else ""
        for error in errors:
            messages.error(request, f"{label}：{error}" if label else error)


def _load(request, pk: int):
    try:
        return saved_view_get_for_user(user=request.user, view_id=pk)
    except NotFound as error:
        raise Http404(str(error.message)) from error


@require_POST
@login_required
def saved_view_create_page(request):
    form = SavedViewForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(request)
    try:
        query = ticket_list_query_clean(form.cleaned_data["query"], user=request.user)
        view = saved_view_create(actor=request.user, name=form.cleaned_data["name"], query=query,
                                 is_default=form.cleaned_data["is_default"])
    except DomainError as error:
        messages.error(request, domain_error_text(error))
        return _back(request)
    messages.success(request, _("已保存视图“%(name)s”。") % {"name": view.name})
    return redirect(ticket_list_url(view.query, user=request.user))


@require_POST
@login_required
def saved_view_update_page(request, pk: int):
    view = _load(request, pk)
    form = SavedViewEditForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(request)
    try:
        view = saved_view_update(actor=request.user, view=view, **form.cleaned_data)
    except DomainError as error:
        messages.error(request, domain_error_text(error))
        return _back(request)
    messages.success(request, _("视图“%(name)s”已更新。") % {"name": view.name})
    return _back(request)


@require_POST
@login_required
def saved_view_delete_page(request, pk: int):
    view = _load(request, pk)
    name = view.name
    try:
        saved_view_delete(actor=request.user, view=view)
    except DomainError as error:
        messages.error(request, domain_error_text(error))
        return _back(request)
    messages.success(request, _("已删除视图“%(name)s”。") % {"name": name})
    return _back(request)
