"""Authentication: DRF's token scheme and Django's model backend, each reading the user, the user's
organisation and the user's role names in one query.

Every request that a page or the API serves asks who the user is, which organisation they belong to
(the tenant rule) and which roles they hold (every access rule): three queries after the session's
own, or two after the token's. A LEFT JOIN on the user's groups gives one row per role (users hold one
to three), the same user's columns on each: one query."""

from dataclasses import dataclass

from django.contrib.auth import backends
from django.db import connections, router
from django.db.models import F
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from .models import Organization, User
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
    with the organisation and the role names in one query (get_user), instead of one query each.

    That query is asked by every signed-in request, and compiling it cost the ORM more than PostgreSQL
    took to run it. Where the database hands every column back as the ORM would keep it (no converters:
    PostgreSQL), the ORM compiles it once per process (_session_user_query) and each request runs that
    SQL with its user's id: 0.83 → 0.40 ms a request (bench/README.md). Elsewhere (SQLite, whose dates
    come back as text) the queryset as before; tests compare the two user objects field by field."""

    def get_user(self, user_id):
        try:
            pk = int(user_id)
        except (ValueError, TypeError):  # a session holding something else than an id
            return None
        if not 0 < pk < 2**63:  # no such user (the column is a bigint)
            return None
        alias = router.db_for_read(User)
        compiled = _session_user_query(alias)
        if compiled is None:
            # order_by(): a user's rows need no order (User's default ordering cost a sort and, in the
            # ORM, an expression per selected column for every request)
            rows = [(row, row.opsdesk_role_name) for row in _session_user_queryset(alias, pk)]
        else:
            rows = compiled.read(alias, pk)
        if not rows:
            return None
        user = rows[0][0]
        if not self.user_can_authenticate(user):
            return None
        user_roles_loaded(user, (name for _row, name in rows))
        return user


def _session_user_queryset(alias: str, pk: int):
    return (User._default_manager.db_manager(alias).select_related("organization").filter(pk=pk).order_by()
            .annotate(opsdesk_role_name=F("groups__name")))


_ID_MARK = -7_654_321_987  # stands for the user's id while the query is compiled


@dataclass(frozen=True)
class _CompiledUserQuery:
    sql: str
    user_columns: tuple[int, ...]
    organization_columns: tuple[int, ...]
    role_column: int

    def read(self, alias: str, pk: int) -> list[tuple[User, str | None]]:
        """(user, role name) a row, the user (with its organisation) built once, as the ORM would."""
        with connections[alias].cursor() as cursor:
            cursor.execute(self.sql, [pk])
            rows = cursor.fetchall()
        if not rows:
            return []
        first = rows[0]
        user = User.from_db(alias, _USER_FIELDS, [first[i] for i in self.user_columns])
        organization = None
        if first[self.organization_columns[0]] is not None:
            organization = Organization.from_db(alias, _ORGANIZATION_FIELDS, [first[i] for i in self.organization_columns])
        User.organization.field.set_cached_value(user, organization)
        return [(user, row[self.role_column]) for row in rows]


_USER_FIELDS = [f.attname for f in User._meta.concrete_fields]
_ORGANIZATION_FIELDS = [f.attname for f in Organization._meta.concrete_fields]
_COMPILED: dict[str, _CompiledUserQuery | None] = {}


def _session_user_query(alias: str) -> _CompiledUserQuery | None:
    """The session user's query compiled by the ORM once per process and database, or None where its
    SQL cannot be reused as it is: a database whose values need the ORM's converters, or a query whose
    only parameter is not the user's id, or whose columns are not the models' in their order."""
    if alias in _COMPILED:
        return _COMPILED[alias]
    compiled = None
    if connections[alias].vendor == "postgresql":
        compiler = _session_user_queryset(alias, _ID_MARK).query.get_compiler(alias)
        sql, params = compiler.as_sql()
        info = compiler.klass_info
        related = info["related_klass_infos"]
        names = [compiler.select[i][0].target.attname for i in info["select_fields"]]
        if (list(params) == [_ID_MARK] and not compiler.get_converters([col for col, _sql, _alias in compiler.select])
                and names == _USER_FIELDS and len(related) == 1 and related[0]["model"] is Organization
                and [compiler.select[i][0].target.attname for i in related[0]["select_fields"]] == _ORGANIZATION_FIELDS):
            compiled = _CompiledUserQuery(
                sql=sql, user_columns=tuple(info["select_fields"]),
                organization_columns=tuple(related[0]["select_fields"]),
                role_column=compiler.annotation_col_map["opsdesk_role_name"],
            )
    _COMPILED[alias] = compiled
    return compiled
