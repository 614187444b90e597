"""Admin for colleagues: roles are groups; disabling a colleague ends their sessions."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts.api_tokens import api_token_revoke
from accounts.models import ApiToken, ColleagueSession, User
from accounts.services import colleague_disable, colleague_end_sessions


@admin.register(User)
class ColleagueAdmin(UserAdmin):
    list_display = ("username", "first_name", "last_name", "team", "is_active", "last_login")
    list_filter = ("groups", "is_active", "team")
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("DWP", {"fields": ("staff_number", "team")}),
    )
    actions = ["disable_colleagues", "end_sessions"]

    @admin.action(description="Disable selected colleagues and end their sessions")
    def disable_colleagues(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        ended = sum(colleague_disable(user=user) for user in queryset)
        self.message_user(
            request,
            f"Disabled {queryset.count()} colleague(s); ended {ended} session(s).",
            messages.SUCCESS,
        )

    @admin.action(description="End all sessions of selected colleagues")
    def end_sessions(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        ended = sum(colleague_end_sessions(user=user) for user in queryset)
        self.message_user(request, f"Ended {ended} session(s).", messages.SUCCESS)

    def save_model(self, request: HttpRequest, obj: User, form: object, change: bool) -> None:
        # Unticking "active" in the form must end the colleague's sessions too.
        was_active = change and User.objects.filter(pk=obj.pk, is_active=True).exists()
        super().save_model(request, obj, form, change)
        if was_active and not obj.is_active:
            colleague_disable(user=obj)


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
        for token in queryset:
            api_token_revoke(token=token)
        self.message_user(request, f"Revoked {queryset.count()} token(s).", messages.SUCCESS)
