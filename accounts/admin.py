"""Admin for people's accounts. Accounts are portal-wide, so only the portal administrator
changes them here (forum/admin_scope.py); coordinators get their staff status and group from
the coordinator role (forum.services.role_grant), not from this page. Django's permission
groups and allauth's e-mail addresses keep their own admins, with the portal's checks of
tampered admin input (``SafeAdminInputMixin``) added."""
from allauth.account.admin import EmailAddressAdmin as AllauthEmailAddressAdmin
from allauth.account.models import EmailAddress
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from forum.admin_scope import PortalWideAdminMixin, SafeAdminInputMixin

from .models import User


@admin.register(User)
class UserAdmin(PortalWideAdminMixin, DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "language", "is_staff", "is_superuser"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "language")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(SafeAdminInputMixin, DjangoGroupAdmin):
    pass


admin.site.unregister(EmailAddress)


@admin.register(EmailAddress)
class EmailAddressAdmin(SafeAdminInputMixin, AllauthEmailAddressAdmin):
    pass
