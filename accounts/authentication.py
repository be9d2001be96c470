"""API authentication: DRF's token scheme, reading the user's organisation with the token."""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions


class TokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <key>`, as DRF's, but the token, its user and the user's organisation come
    in one query: nearly every API call asks which organisation the caller belongs to (the tenant rule),
    which was a second query per request."""

    def authenticate_credentials(self, key):
        model = self.get_model()
        try:
            token = model.objects.select_related("user__organization").get(key=key)
        except model.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("认证令牌无效。")) from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("用户已停用或已删除。"))
        return (token.user, token)
