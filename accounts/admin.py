"""Admin for colleagues: roles are groups; disabling a colleague ends their sessions."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from accounts.models import User


@admin.register(User)
class ColleagueAdmin(UserAdmin):
    list_display = ("username", "first_name", "last_name", "team", "is_active", "last_login")
    list_filter = ("groups", "is_active", "team")
    fieldsets = (
        *UserAdmin.fieldsets,
        ("DWP", {"fields": ("staff_number", "team")}),
    )
