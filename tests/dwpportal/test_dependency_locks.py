"""The dependency locks: production's runtime lock carries no test or dev tool, every pin has
hashes, and both locks agree with pyproject.toml and with each other."""

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")
TOOLS_PRODUCTION_MUST_NOT_INSTALL = {
    "locust",
    "flask",
    "playwright",
    "pytest",
    "pytest-django",
    "pytest-playwright",
    "mypy",
    "django-stubs",
    "ruff",
    "honcho",
    "schemathesis",
    "hypothesis",
    "factory-boy",
    "faker",
    "import-linter",
    "uv",
}


def normalise(name: str) -> str:
    """PEP 503 name: lower case, runs of `-`, `_`, `.` become one `-`."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement)
    assert match, requirement
    return normalise(match.group(0))


def read_lock(name: str) -> dict[str, tuple[str, int]]:
    """{package: (version, number of hashes)} from a hash-pinned requirements file."""
    pins: dict[str, tuple[str, int]] = {}
    current = ""
    for line in (ROOT / "requirements" / name).read_text().splitlines():
        if match := PIN.match(line):
            current = normalise(match.group(1))
            pins[current] = (match.group(2), 0)
        elif line.strip().startswith("--hash=sha256:") and current:
            version, hashes = pins[current]
            pins[current] = (version, hashes + 1)
    return pins


PROD = read_lock("prod.lock")
DEV = read_lock("dev.lock")


def test_the_runtime_lock_installs_no_test_or_dev_tool() -> None:
    shipped = TOOLS_PRODUCTION_MUST_NOT_INSTALL & set(PROD)
    assert not shipped, f"the production lock would install {sorted(shipped)}"


def test_the_dev_lock_has_the_tools_the_runtime_lock_leaves_out() -> None:
    # The check above would pass on an empty or misread lock; the same reader finds them here.
    assert set(DEV) >= TOOLS_PRODUCTION_MUST_NOT_INSTALL


@pytest.mark.parametrize("lock", ["prod.lock", "dev.lock"])
def test_every_pin_carries_its_hashes(lock: str) -> None:
    pins = read_lock(lock)
    assert len(pins) > 20
    assert [name for name, (_, hashes) in pins.items() if hashes == 0] == []


def test_the_runtime_lock_pins_what_the_dev_lock_pins() -> None:
    """Production runs the versions the tests ran against."""
    differing = {
        name: (v, DEV.get(name)) for name, (v, _) in PROD.items() if DEV.get(name, ("",))[0] != v
    }
    assert differing == {}


def test_each_lock_holds_every_dependency_pyproject_declares() -> None:
    runtime = {requirement_name(r) for r in PYPROJECT["project"]["dependencies"]}
    dev = {requirement_name(r) for r in PYPROJECT["dependency-groups"]["dev"]}
    assert runtime - set(PROD) == set()
    assert (runtime | dev) - set(DEV) == set()


def test_packages_the_code_imports_are_runtime_dependencies() -> None:
    runtime = {requirement_name(r) for r in PYPROJECT["project"]["dependencies"]}
    # pgtrigger is imported by the apps' models and migrations, not only pulled in by pghistory.
    assert {"django-pgtrigger", "django-pghistory", "psycopg", "celery"} <= runtime
    assert "honcho" not in runtime  # `make run` (development) starts the Procfile, production not
