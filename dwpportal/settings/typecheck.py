"""Settings for the type checker only (mypy's django-stubs plugin loads them to learn the apps).

mypy never connects to a database or Redis, so it must run on a machine where neither exists and
`var/local.env` was never written (CI before `scripts/dev.sh services`, an editor, a fresh clone).
Any address stands in; nothing here is used to serve or test anything.
"""

import os

# Set before base is imported, which refuses to load without a database address.
os.environ.setdefault("DATABASE_URL", "postgres://typecheck@127.0.0.1:9/typecheck")

from dwpportal.settings.base import *  # noqa: F403

ENVIRONMENT = "typecheck"
DEBUG = False
