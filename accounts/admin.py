"""Admin for colleagues: roles are groups; disabling a colleague ends their sessions."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts import roles
from accounts.api_tokens import api_token_revoke
from accounts.hooks import ColleagueChangeSource
from accounts.models import ApiToken, ColleagueSession, User
from accounts.services import (
    colleague_active_set,
    colleague_disable,
    colleague_end_sessions,
    colleague_role_and_team_set,
)

ROLE_CHOICES = [(role, role) for role in roles.ROLE_NAMES]
ROLE_HELP = (
    "Work coach: finds customers, records interactions and needs, refers to an ACSSL. "
    "ACSSL: works ACS cases. Team leader: an ACSSL who also sees the team's caseload. "
    "Admin: manages colleagues and reference data; opens no customer records."
)


class RoleField(forms.ChoiceField):
    def __init__(self) -> None:
        super().__init__(
            label="Role", choices=ROLE_CHOICES, widget=forms.RadioSelect, help_text=ROLE_HELP
        )


class ColleagueChangeForm(UserChangeForm):
    """A colleague's details with their role as one choice of the four (no group picker, no
    raw permissions, no staff or superuser boxes)."""

    role = RoleField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = roles.user_role_names(self.instance) if self.instance.pk else []
        if len(current) == 1:
            self.fields["role"].initial = current[0]


class ColleagueCreationForm(AdminUserCreationForm):
    role = RoleField()


@admin.register(User)
class ColleagueAdmin(UserAdmin):
    form = ColleagueChangeForm
    add_form = ColleagueCreationForm
    list_display = ("username", "first_name", "last_name", "team", "is_active", "last_login")
    list_filter = ("groups", "is_active", "team")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Name and contact", {"fields": ("first_name", "last_name", "email")}),
        ("Role and team", {"fields": ("role", "team", "staff_number")}),
        ("Access", {"fields": ("is_active",)}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "usable_password", "password1", "password2"),
            },
        ),
        ("Role and team", {"fields": ("role", "team", "staff_number")}),
    )
    readonly_fields = ("last_login", "date_joined")
    actions = ["disable_colleagues", "end_sessions"]

    @admin.action(description="Disable selected colleagues and end their sessions")
    def disable_colleagues(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        source = ColleagueChangeSource.for_admin(request)
        ended = sum(colleague_disable(user=user, source=source) for user in queryset)
        self.message_user(
            request,
            f"Disabled {queryset.count()} colleague(s); ended {ended} session(s).",
            messages.SUCCESS,
        )

    @admin.action(description="End all sessions of selected colleagues")
    def end_sessions(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        source = ColleagueChangeSource.for_admin(request)
        ended = sum(colleague_end_sessions(user=user, source=source) for user in queryset)
        self.message_user(request, f"Ended {ended} session(s).", messages.SUCCESS)

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        source = ColleagueChangeSource.for_admin(request)
        role = form.cleaned_data["role"]
        if change:
            # Before the form saves the colleague: the services read the role, team and
            # whether they were active from the database, for the audit. Unticking "active"
            # ends the colleague's sessions too.
            colleague_role_and_team_set(colleague=obj, role=role, team=obj.team, source=source)
            colleague_active_set(colleague=obj, active=obj.is_active, source=source)
            super().save_model(request, obj, form, change)
        else:
            super().save_model(request, obj, form, change)
            colleague_role_and_team_set(
                colleague=obj, role=role, team=obj.team, source=source, added=True
            )


@admin.register(ColleagueSession)
class ColleagueSessionAdmin(admin.ModelAdmin):
    list_display = ("user", "signed_in_at", "client_address")
    list_select_related = ("user",)
    search_fields = ("user__username",)
    readonly_fields = ("user", "session_key", "signed_in_at", "client_address")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued with `manage.py api_token_issue` (shown once); here they are revoked."""

    list_display = (
        "name",
        "user",
        "prefix",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    )
    list_select_related = ("user",)
    list_filter = ("revoked_at",)
    search_fields = ("user__username", "name", "prefix")
    readonly_fields = (
        "user",
        "name",
        "prefix",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    )
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Revoke selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        source = ColleagueChangeSource.for_admin(request)
        for token in queryset.select_related("user"):
            api_token_revoke(token=token, source=source)
        self.message_user(request, f"Revoked {queryset.count()} token(s).", messages.SUCCESS)
