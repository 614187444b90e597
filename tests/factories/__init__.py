"""factory-boy factories for the portal's models (synthetic data only)."""

from tests.factories.accounts import ColleagueFactory

__all__ = ["ColleagueFactory"]
