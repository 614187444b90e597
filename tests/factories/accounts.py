"""Colleague factories, one per role."""

import factory
from django.contrib.auth.models import Group
from factory.django import DjangoModelFactory

from accounts import roles
from accounts.models import User

TEST_PASSWORD = "correct-horse-battery-staple"


class ColleagueFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"colleague{n}")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    team = "Leeds jobcentre"
    password = factory.django.Password(TEST_PASSWORD)

    @factory.post_generation
    def role(self, create: bool, extracted: str | None, **kwargs: object) -> None:
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))
            if extracted == roles.ADMIN:
                self.is_staff = True
                self.save(update_fields=["is_staff"])
