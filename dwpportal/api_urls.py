"""/api/v1/: every app's API endpoints, plus who-am-I for token holders."""

from django.urls import path
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.roles import user_role_names


@extend_schema(
    summary="The colleague the request is authenticated as, and their roles",
    responses=inline_serializer(
        "Me",
        {
            "username": serializers.CharField(),
            "roles": serializers.ListField(child=serializers.CharField()),
        },
    ),
)
@api_view(["GET"])
def me(request: Request) -> Response:
    return Response(
        {"username": request.user.get_username(), "roles": user_role_names(request.user)}
    )


urlpatterns = [
    path("me", me, name="me"),
]
