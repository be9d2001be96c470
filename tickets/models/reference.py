"""The contract's reference data: contracts and their service catalogue, business systems, hosts."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization


class Contract(models.Model):
    name = models.CharField(_("合同名称"), max_length=200)
    code = models.CharField(_("合同编号"), max_length=60, unique=True)
    purchaser = models.ForeignKey(
        Organization, verbose_name=_("采购人"), on_delete=models.PROTECT, related_name="purchased_contracts"
    )
    provider = models.ForeignKey(
        Organization, verbose_name=_("服务商"), on_delete=models.PROTECT, related_name="provided_contracts"
    )
    start_date = models.DateField(_("服务期开始"))
    end_date = models.DateField(_("服务期结束"))
    previous = models.ForeignKey(
        "self", verbose_name=_("续签自"), null=True, blank=True, on_delete=models.PROTECT, related_name="renewals"
    )

    class Meta:
        verbose_name = _("合同")
        verbose_name_plural = _("合同")
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end_date__gt=models.F("start_date")), name="contract_period_valid")
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.start_date:%Y-%m-%d} 至 {self.end_date:%Y-%m-%d}）"


class ServiceItem(models.Model):
    """One row of the contract's service catalogue (四、技术要求 政务云服务需求数量详表)."""

    contract = models.ForeignKey(Contract, verbose_name=_("合同"), on_delete=models.CASCADE, related_name="items")
    seq = models.PositiveSmallIntegerField(_("序号"))
    category = models.CharField(_("服务大类"), max_length=60)
    sub_category = models.CharField(_("服务子类"), max_length=100)
    item = models.CharField(_("服务项"), max_length=300)
    unit = models.CharField(_("计价单位"), max_length=30)
    quantity = models.PositiveIntegerField(_("数量"))
    months = models.PositiveSmallIntegerField(_("服务期（月）"))

    class Meta:
        verbose_name = _("服务项")
        verbose_name_plural = _("服务目录")
        ordering = ["contract", "seq"]
        constraints = [models.UniqueConstraint(fields=["contract", "seq"], name="service_item_unique_seq")]

    def __str__(self) -> str:
        return f"{self.seq}. {self.sub_category} — {self.item}"

    @property
    def quantity_text(self) -> str:
        """The contracted quantity with its unit: the catalogue prices per "1CPU", "1GB", "1套", so 4235
        of "1CPU" read "4235 CPU" (not "4235 1CPU", which reads as 42351)."""
        unit = self.unit.strip()
        if len(unit) > 1 and unit[0] == "1" and not unit[1].isdigit():
            unit = unit[1:]
        return f"{self.quantity} {unit}"


class BusinessSystem(models.Model):
    """A business system (业务系统) of a purchaser running on the cloud."""

    class Importance(models.TextChoices):
        IMPORTANT = "important", _("重要")
        NORMAL = "normal", _("一般")

    class Onboarding(models.TextChoices):
        IN_CLOUD = "in_cloud", _("已入云")
        MIGRATING = "migrating", _("迁移中")
        NOT_YET = "not_yet", _("未入云")

    name = models.CharField(_("系统名称"), max_length=200)
    organization = models.ForeignKey(
        Organization, verbose_name=_("所属采购人"), on_delete=models.PROTECT, related_name="business_systems"
    )
    owner_department = models.ForeignKey(
        Organization,
        verbose_name=_("责任部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_business_systems",
    )
    importance = models.CharField(_("重要程度"), max_length=20, choices=Importance.choices, default=Importance.NORMAL)
    onboarding_status = models.CharField(
        _("入云状态"), max_length=20, choices=Onboarding.choices, default=Onboarding.IN_CLOUD
    )
    description = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("业务系统")
        verbose_name_plural = _("业务系统")
        ordering = ["organization", "name"]
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="business_system_unique_name")]

    def __str__(self) -> str:
        return self.name


class Host(models.Model):
    """A cloud host (云主机) of a business system."""

    class OsFamily(models.TextChoices):
        WINDOWS = "windows", _("Windows Server")
        OPEN_SOURCE = "open_source", _("开源操作系统")
        DOMESTIC = "domestic", _("国产操作系统（统信 UOS）")

    name = models.CharField(_("主机名"), max_length=100, unique=True)
    business_system = models.ForeignKey(
        BusinessSystem, verbose_name=_("业务系统"), on_delete=models.PROTECT, related_name="hosts"
    )
    vcpu = models.PositiveIntegerField(_("vCPU"))
    memory_gb = models.PositiveIntegerField(_("内存（GB）"))
    storage_gb = models.PositiveIntegerField(_("存储（GB）"), default=0)
    os_family = models.CharField(_("操作系统"), max_length=20, choices=OsFamily.choices)
    ip_address = models.GenericIPAddressField(_("IP 地址"), protocol="both")
    monitored = models.BooleanField(_("深度监控"), default=True)

    class Meta:
        verbose_name = _("云主机")
        verbose_name_plural = _("云主机")
        ordering = ["business_system", "name"]

    def __str__(self) -> str:
        return self.name
