"""mypy's settings load on a bare machine: no DATABASE_URL, no var/local.env, no server."""

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_django_stubs_loads_the_typecheck_settings():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert (
        config["tool"]["django-stubs"]["django_settings_module"] == "dwpportal.settings.typecheck"
    )


def test_the_typecheck_settings_import_without_a_database_address_or_local_env(tmp_path):
    # A checkout holding only the settings package: var/local.env cannot be there to help.
    shutil.copytree(ROOT / "dwpportal" / "settings", tmp_path / "dwpportal" / "settings")
    (tmp_path / "dwpportal" / "__init__.py").write_text("")
    bare = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/")}
    probe = "import dwpportal.settings.{} as s; print(s.DATABASES['default']['NAME'])"

    typecheck = subprocess.run(
        [sys.executable, "-c", probe.format("typecheck")],
        cwd=tmp_path,
        env=bare,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert typecheck.returncode == 0, typecheck.stderr
    assert typecheck.stdout.strip() == "typecheck"
    assert not (tmp_path / "var").exists()

    # The same bare machine is what makes the ordinary settings refuse to load.
    base = subprocess.run(
        [sys.executable, "-c", probe.format("base")],
        cwd=tmp_path,
        env=bare,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert base.returncode != 0
    assert "DATABASE_URL is not set" in base.stderr
