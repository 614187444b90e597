"""Colleague factories, one per role."""

import factory
from django.contrib.auth.models import Group

from accounts import roles
from accounts.hooks import ColleagueChangeSource
from accounts.models import User
from tests.factories.base import ModelFactory

TEST_PASSWORD = "correct-horse-battery-staple"
# Who a test's direct call of a colleague service acts as (the access audit records it).
TEST_CHANGE_SOURCE = ColleagueChangeSource.for_command(command="test")


def _role_give(colleague: User, create: bool, extracted: str | None, **kwargs: object) -> None:
    """ColleagueFactory(role=...): the colleague joins the role's group (Admin: staff too)."""
    if create and extracted:
        colleague.groups.add(Group.objects.get(name=extracted))
        if extracted == roles.ADMIN:
            colleague.is_staff = True
            colleague.save(update_fields=["is_staff"])


class ColleagueFactory(ModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"colleague{n}")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    team = "Leeds jobcentre"
    password = factory.django.Password(TEST_PASSWORD)
    role = factory.PostGeneration(_role_give)
