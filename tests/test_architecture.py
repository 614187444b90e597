"""The layout's rules, checked on the source: access and audit only in selectors and services.

Views, API views, admin classes, tasks and management commands parse, call and render. If one
of them writes an access event or looks at a restricted-record reason, a rule has escaped its
one place (docs/adr/0006-audit-inside-selectors-and-services.md).
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = (
    "accounts",
    "acs",
    "audit",
    "benefits",
    "core",
    "customer_view",
    "customers",
    "dwpportal",
    "support_needs",
)

# Names that only selectors, services and the audit package may use.
AUDIT_WRITERS = {"access_record"}
REASON_READERS = {"reason_for", "session_reasons_current", "restricted_reason_in_session"}

# Services that work on the HTTP session itself, not on customer data: signing in starts one.
SESSION_SERVICES = {"accounts/services.py"}


def _modules(kind: str) -> list[Path]:
    found = []
    for app in APPS:
        base = ROOT / app
        if not base.exists():
            continue
        for path in base.rglob("*.py"):
            rel = path.relative_to(base).as_posix()
            if "migrations/" in rel:
                continue
            if kind == "surface" and _is_surface(rel):
                found.append(path)
            if kind == "core" and _is_selector_or_service(rel):
                found.append(path)
    return sorted(found)


def _is_surface(rel: str) -> bool:
    name = rel.rsplit("/", 1)[-1]
    return name in {
        "views.py",
        "api.py",
        "admin.py",
        "tasks.py",
        "history_admin.py",
    } or rel.startswith(("api/", "views/", "admin/", "management/commands/"))


def _is_selector_or_service(rel: str) -> bool:
    return (
        rel.startswith(("selectors", "services"))
        or rel.endswith(("selectors.py", "services.py"))
        or "/selectors" in rel
        or "/services" in rel
    )


def _names_used(tree: ast.AST) -> set[str]:
    used = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            used.add(node.id)
        elif isinstance(node, ast.Attribute):
            used.add(node.attr)
        elif isinstance(node, ast.alias):
            used.add(node.name.rsplit(".", 1)[-1])
    return used


def _creates_access_event(tree: ast.AST) -> bool:
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in {"create", "bulk_create"}
            and "AccessEvent" in ast.unparse(node.func)
        ):
            return True
    return False


SURFACES = _modules("surface")


@pytest.mark.parametrize("path", SURFACES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_view_api_admin_or_task_writes_the_audit_or_reads_a_reason(path):
    tree = ast.parse(path.read_text())
    used = _names_used(tree)
    assert not used & AUDIT_WRITERS, f"{path.name} writes access events itself"
    assert not used & REASON_READERS, f"{path.name} checks a restricted-record reason itself"
    assert not _creates_access_event(tree), f"{path.name} creates AccessEvent rows itself"


def test_the_surfaces_were_found():
    # The scan above must see the modules it guards, or it proves nothing.
    names = {p.relative_to(ROOT).as_posix() for p in SURFACES}
    assert {"acs/views.py", "acs/api.py", "audit/admin.py", "benefits/tasks.py"} <= names


CORE = [p for p in _modules("core") if p.relative_to(ROOT).as_posix() not in SESSION_SERVICES]


def test_the_selectors_and_services_were_found():
    names = {p.relative_to(ROOT).as_posix() for p in CORE}
    assert {"acs/selectors.py", "audit/services.py", "customers/selectors/access.py"} <= names


@pytest.mark.parametrize("path", CORE, ids=lambda p: str(p.relative_to(ROOT)))
def test_selectors_and_services_never_see_an_http_request(path):
    tree = ast.parse(path.read_text())
    assert "HttpRequest" not in _names_used(tree), f"{path.name} imports HttpRequest"
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            args = node.args.args + node.args.kwonlyargs + node.args.posonlyargs
            assert "request" not in {a.arg for a in args}, (
                f"{path.name}:{node.lineno} {node.name}() takes a request; take an AuditContext"
            )


def _hooks() -> list[tuple[str, object]]:
    import importlib

    from core.hooks import Hook

    found: list[tuple[str, object]] = []
    for app in APPS:
        if (ROOT / app / "hooks.py").exists() and app != "core":
            module = importlib.import_module(f"{app}.hooks")
            found += [
                (f"{app}.hooks.{name}", value)
                for name, value in vars(module).items()
                if isinstance(value, Hook)
            ]
    return found


def test_every_hook_is_documented_and_has_a_listener():
    """A hook nobody connects is a side effect that silently stopped happening; one missing from
    docs/architecture.md is one a new engineer cannot find."""
    hooks = _hooks()
    assert len(hooks) >= 4
    doc = (ROOT / "docs" / "architecture.md").read_text()
    for dotted, hook in hooks:
        assert f"`{dotted}`" in doc, f"{dotted} is not in docs/architecture.md's list of hooks"
        assert hook.handlers, f"nothing listens to {dotted}"
