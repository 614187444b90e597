"""Template context shared by every page: service name and the signed-in colleague's roles."""

from django.http import HttpRequest

from accounts.roles import user_role_names

SERVICE_NAME = "DWP Colleague Portal"


def portal(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    roles = user_role_names(user) if user is not None and user.is_authenticated else []
    return {"service_name": SERVICE_NAME, "user_roles": roles}
