from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from .selectors.reference import business_system_list_for_user, contract_list_for_user, host_list_for_user


@login_required
def business_system_list(request):
    systems = business_system_list_for_user(user=request.user).order_by("organization__name", "name")
    return render(request, "tickets/business_systems.html", {"systems": systems})


@login_required
def business_system_detail(request, pk: int):
    system = get_object_or_404(business_system_list_for_user(user=request.user), pk=pk)
    hosts = host_list_for_user(user=request.user).filter(business_system=system).order_by("name")
    return render(request, "tickets/business_system_detail.html", {"system": system, "hosts": hosts})


@login_required
def service_catalogue(request):
    contracts = contract_list_for_user(user=request.user).prefetch_related("items").order_by("-start_date")
    return render(request, "tickets/service_catalogue.html", {"contracts": contracts})
