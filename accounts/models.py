"""The colleague (user) model."""

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A DWP colleague. Roles are Django groups (see accounts.roles)."""

    staff_number = models.CharField(max_length=20, blank=True)
    team = models.CharField(max_length=100, blank=True)

    class Meta:
        verbose_name = "colleague"
        verbose_name_plural = "colleagues"

    def __str__(self) -> str:
        full_name = self.get_full_name()
        return f"{full_name} ({self.username})" if full_name else self.username
