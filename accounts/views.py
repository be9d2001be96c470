from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .roles import Role
from .selectors import user_roles


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True


@login_required
def profile(request):
    labels = dict(Role.choices)
    roles = [labels.get(code, code) for code in sorted(user_roles(request.user))]
    return render(request, "accounts/profile.html", {"roles": roles})
