from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Organization, User


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name", "kind", "parent")
    list_filter = ("kind",)
    search_fields = ("name", "short_name")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "real_name", "organization", "title", "mobile", "is_active")
    list_filter = ("organization", "groups", "is_active")
    search_fields = ("username", "real_name", "mobile", "email")
    fieldsets = (*BaseUserAdmin.fieldsets, (_("实名信息"), {"fields": ("real_name", "mobile", "organization", "title")}))
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("实名信息"), {"fields": ("real_name", "mobile", "organization", "title", "email")}),
    )
