"""The base of every model factory: calling one gives the model, to the type checker too."""

from typing import TYPE_CHECKING, Any

from django.db import models
from factory.django import DjangoModelFactory


class ModelFactory[M: models.Model](DjangoModelFactory[M]):
    """A DjangoModelFactory whose call, `CustomerFactory(...)`, is typed as the model it makes.

    factory-boy's metaclass turns the call into `create()` (typed `-> M`), but it declares no
    type for the call itself, so the type checker would see a factory instance. No Meta.model:
    factory-boy treats this class as abstract.
    """

    if TYPE_CHECKING:
        # The type of the call only; at run time the metaclass answers it.
        def __new__(cls, *args: Any, **kwargs: Any) -> M: ...  # type: ignore[misc]
