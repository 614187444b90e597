"""Fixtures for the legacy mocks' tests: plain pytest, no Django, no database."""

from collections.abc import Callable, Iterator

import pytest

from legacy_mocks.server import MockServer, start_in_thread


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "large_n: pages through part of a 1,000,000 population")


@pytest.fixture
def start_mocks() -> Iterator[Callable[..., tuple[MockServer, str]]]:
    """Start mock servers on free ports in threads; all are stopped after the test."""
    servers: list[MockServer] = []

    def start(**options: object) -> tuple[MockServer, str]:
        server, base_url = start_in_thread(port=0, **options)
        servers.append(server)
        return server, base_url

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()
