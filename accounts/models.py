from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Organization(models.Model):
    """A purchaser (采购人: a bureau, or a department under it) or the provider (服务商).

    Tenant isolation follows the top-level purchaser: a department sees what its bureau owns.
    """

    class Kind(models.TextChoices):
        PURCHASER = "purchaser", _("采购人")
        PROVIDER = "provider", _("服务商")

    name = models.CharField(_("名称"), max_length=200, unique=True)
    short_name = models.CharField(_("简称"), max_length=60, blank=True)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="departments"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("组织")
        verbose_name_plural = _("组织")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.short_name or self.name

    @property
    def tenant_id(self) -> int:
        """The top-level organisation whose data this one may see."""
        return self.parent_id or self.pk


mobile_validator = RegexValidator(r"^1\d{10}$", _("请输入 11 位手机号码"))


class User(AbstractUser):
    """A real-name account (6.2.9): 姓名, mobile, organisation and title are recorded for everyone."""

    real_name = models.CharField(_("姓名"), max_length=50)
    mobile = models.CharField(_("手机号码"), max_length=11, blank=True, validators=[mobile_validator])
    organization = models.ForeignKey(
        Organization, verbose_name=_("所属组织"), null=True, on_delete=models.PROTECT, related_name="users"
    )
    title = models.CharField(_("职务"), max_length=100, blank=True)

    REQUIRED_FIELDS = ["email", "real_name"]

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        ordering = ["username"]

    def __str__(self) -> str:
        return _("%(name)s（%(username)s）") % {"name": self.real_name, "username": self.username} if self.real_name else self.username

    @property
    def display_name(self) -> str:
        return self.real_name or self.username
