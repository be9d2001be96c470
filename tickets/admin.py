from django.contrib import admin

from .models import BusinessSystem, Contract, Host, ServiceItem


class ServiceItemInline(admin.TabularInline):
    model = ServiceItem
    extra = 0


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "purchaser", "provider", "start_date", "end_date")
    inlines = [ServiceItemInline]


@admin.register(BusinessSystem)
class BusinessSystemAdmin(admin.ModelAdmin):
    list_display = ("name", "organization", "owner_department", "importance", "onboarding_status")
    list_filter = ("organization", "importance", "onboarding_status")
    search_fields = ("name",)


@admin.register(Host)
class HostAdmin(admin.ModelAdmin):
    list_display = ("name", "business_system", "vcpu", "memory_gb", "storage_gb", "os_family", "ip_address", "monitored")
    list_filter = ("os_family", "monitored", "business_system")
    search_fields = ("name", "ip_address")
