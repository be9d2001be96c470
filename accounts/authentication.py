"""Authentication: DRF's token scheme and Django's model backend, each reading the user, the user's
organisation and the user's role names in one query.

Every request that a page or the API serves asks who the user is, which organisation they belong to
(the tenant rule) and which roles they hold (every access rule): three queries after the session's
own, or two after the token's. A LEFT JOIN on the user's groups gives one row per role (users hold one
to three), the same user's columns on each: one query."""

from django.contrib.auth import backends
from django.db.models import F
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from .models import User
from .selectors import user_roles_loaded


class TokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <key>`, as DRF's, but the token, its user, the user's organisation and the
    user's roles come in one query."""

    def authenticate_credentials(self, key):
        model = self.get_model()
        rows = list(model.objects.select_related("user__organization").filter(key=key).order_by()
                    .annotate(opsdesk_role_name=F("user__groups__name")))
        if not rows:
            raise exceptions.AuthenticationFailed(_("认证令牌无效。"))
        token = rows[0]
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("用户已停用或已删除。"))
        user_roles_loaded(token.user, (row.opsdesk_role_name for row in rows))
        return (token.user, token)


class ModelBackend(backends.ModelBackend):
    """Django's ModelBackend (username and password, is_active checked); the session's user is read
    with the organisation and the role names in one query (get_user), instead of one query each."""

    def get_user(self, user_id):
        try:
            # order_by(): a user's rows need no order (User's default ordering cost a sort and, in the
            # ORM, an expression per selected column for every request)
            rows = list(User._default_manager.select_related("organization").filter(pk=user_id).order_by()
                        .annotate(opsdesk_role_name=F("groups__name")))
        except (ValueError, TypeError):  # a session holding something else than an id
            return None
        if not rows:
            return None
        user = rows[0]
        if not self.user_can_authenticate(user):
            return None
        user_roles_loaded(user, (row.opsdesk_role_name for row in rows))
        return user
