"""legacy_mocks stands alone: it imports nothing of the portal; the portal never imports it."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PORTAL_PACKAGES = {
    "accounts",
    "acs",
    "audit",
    "benefits",
    "customers",
    "dwpportal",
    "support_needs",
}


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module.split(".")[0])
    return found


def test_the_mocks_import_nothing_from_the_portal_or_django():
    for path in (ROOT / "legacy_mocks").rglob("*.py"):
        imported = imported_modules(path)
        assert not imported & (PORTAL_PACKAGES | {"django", "celery"}), path


def test_the_portal_never_imports_the_mocks():
    for package in PORTAL_PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            assert "legacy_mocks" not in imported_modules(path), path


def test_serving_loads_no_portal_module():
    probe = (
        "import sys, legacy_mocks.__main__, legacy_mocks.server; "
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {sorted(PORTAL_PACKAGES)!r}"
        " or m.startswith('django')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
    )
    assert result.stdout.strip() == "[]"
