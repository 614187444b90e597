"""Reading configuration from the environment, with var/local.env as the local fallback."""

import os
from pathlib import Path
from typing import overload

BASE_DIR = Path(__file__).resolve().parent.parent.parent
LOCAL_ENV_FILE = BASE_DIR / "var" / "local.env"


def _local_env() -> dict[str, str]:
    # scripts/dev.sh writes the private PostgreSQL/Redis addresses here, so `manage.py` works
    # from a plain shell without exporting anything. Real environment variables always win.
    values: dict[str, str] = {}
    if LOCAL_ENV_FILE.exists():
        for line in LOCAL_ENV_FILE.read_text().splitlines():
            if "=" in line and not line.startswith("#"):
                key, _, value = line.partition("=")
                values[key.strip()] = value.strip()
    return values


_LOCAL = _local_env()


@overload
def env(name: str, default: str) -> str: ...
@overload
def env(name: str, default: None = None) -> str | None: ...
def env(name: str, default: str | None = None) -> str | None:
    """The variable from the environment, else from var/local.env, else `default`."""
    return os.environ.get(name, _LOCAL.get(name, default))


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in (env(name, default) or "").split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = env(name)
    return int(value) if value else default
