"""The colleague (user) model."""

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A DWP colleague. Roles are Django groups (see accounts.roles)."""

    staff_number = models.CharField(max_length=20, blank=True)
    team = models.CharField(max_length=100, blank=True)

    # Not a field: accounts.roles.user_role_names caches the colleague's role names here.
    _role_names: list[str]

    class Meta:
        verbose_name = "colleague"
        verbose_name_plural = "colleagues"

    def __str__(self) -> str:
        full_name = self.get_full_name()
        return f"{full_name} ({self.username})" if full_name else self.username


class ColleagueSession(models.Model):
    """A signed-in session, so a colleague's sessions can be found and ended (disable, admin)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="portal_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    signed_in_at = models.DateTimeField(auto_now_add=True)
    client_address = models.GenericIPAddressField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user} since {self.signed_in_at:%Y-%m-%d %H:%M}"


class ApiToken(models.Model):
    """A colleague's API token. Only a hash is stored; the token is shown once, when created.

    A token is "<prefix>.<secret>": the prefix finds the row, the secret's SHA-256 is compared in
    constant time. Tokens expire and can be revoked; a disabled colleague's tokens stop working.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. telephony.")
    prefix = models.CharField(max_length=12, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…) for {self.user}"
