"""Template context shared by every page: service name, the signed-in colleague's roles and
when their session times out (for the timeout warning)."""

from django.http import HttpRequest

from accounts.roles import user_role_names
from dwpportal.session import timeout_settings

SERVICE_NAME = "DWP Colleague Portal"


def portal(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    roles = user_role_names(user) if user is not None and user.is_authenticated else []
    signed_in = user is not None and user.is_authenticated
    return {
        "service_name": SERVICE_NAME,
        "user_roles": roles,
        "session_timeout": timeout_settings() if signed_in else None,
    }
