"""The layout's rules, checked on the source: access and audit only in selectors and services.

Every module of the portal's apps that is not a selector, a service, a model, a migration or the
audit context itself — views, API views, admin classes, tasks, management commands, middleware,
template tags, hook handlers, the sync's helpers — parses, calls and renders. If one of them
writes an access event or looks at a restricted-record reason, a rule has escaped its one place
(docs/adr/0006-audit-inside-selectors-and-services.md). The templates do not decide clearance
either: the view passes them what a selector decided.
"""

import ast
import re
from collections.abc import Iterable
from pathlib import Path

import pytest

from audit.context import SESSION_REASONS_KEY

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

# The one module that knows how reasons are kept and read (AuditContext.reason_for, the session's
# format): everything else asks a selector or a service.
AUDIT_CONTEXT = "audit/context.py"

# Reading a restricted-record reason: AuditContext's accessors and the session's format. An
# AuditContext's own `reason` attribute is checked too (see _reads_audit_reason).
REASON_READERS = {
    "reason_for",
    "session_reasons",
    "session_reasons_current",
    "restricted_reason_in_session",
    "SESSION_REASONS_KEY",
}

# Uses outside selectors and services that are allowed, each with why. Keep this short: an entry
# that is no longer needed fails test_the_allowlist_is_still_needed.
ALLOWED: dict[tuple[str, str], str] = {
    ("audit/apps.py", "colleague_role_change_record"): (
        "connects the audit service as the handler of accounts.hooks.colleague_role_changed "
        "(accounts sits below audit and cannot call it); it does not call it itself"
    ),
    ("audit/admin.py", "changelist_read"): (
        "the audit list's hook of ChangelistReadAudited (the mixin every audited admin list "
        "shares): it only hands the parsed search and filter names to access_events_for_admin"
    ),
    ("audit/admin.py", "access_events_for_admin"): (
        "the audit list's rows are Django admin's own changelist query; this selector records "
        "the look (what is recorded is decided in audit.selectors), the admin passes it only "
        "the parsed search and filter names"
    ),
}

# Services that work on the HTTP session itself, not on customer data: signing in starts one.
SESSION_SERVICES = {"accounts/services.py"}


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _all_modules() -> list[Path]:
    found: list[Path] = []
    for app in APPS:
        found += (p for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts)
    return sorted(found)


def _is_selector_or_service(rel: str) -> bool:
    return (
        rel.endswith(("selectors.py", "services.py")) or "/selectors/" in rel or "/services/" in rel
    )


def _is_model(rel: str) -> bool:
    return rel.endswith("/models.py") or "/models/" in rel


def _is_surface(rel: str) -> bool:
    """Every module that parses, calls and renders: all but the homes of the rules."""
    return not (_is_selector_or_service(rel) or _is_model(rel) or rel == AUDIT_CONTEXT)


MODULES = _all_modules()
SURFACES = [p for p in MODULES if _is_surface(_rel(p))]
CORE = [p for p in MODULES if _is_selector_or_service(_rel(p)) and _rel(p) not in SESSION_SERVICES]


# --- What writes an access event ----------------------------------------------------------------


def _called_name(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _creates_access_event(node: ast.AST) -> bool:
    """AccessEvent(...), AccessEvent.objects.create(...) and the like, anywhere under node."""
    for call in ast.walk(node):
        if not isinstance(call, ast.Call):
            continue
        name = _called_name(call)
        if name == "AccessEvent":
            return True
        if name in {"create", "bulk_create", "get_or_create", "update_or_create"} and (
            "AccessEvent" in ast.unparse(call.func)
        ):
            return True
    return False


def _calls(node: ast.AST) -> set[str]:
    return {n for c in ast.walk(node) if isinstance(c, ast.Call) if (n := _called_name(c))}


def _only_writes(function: ast.FunctionDef | ast.AsyncFunctionDef, writers: set[str]) -> bool:
    """A thin wrapper of an audit writer: straight-line code that calls one, returns no value
    (raising is allowed: a refusal is logged, then raised) — its whole job is the event."""
    body = function.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the docstring
    straight = all(isinstance(s, ast.Assign | ast.AnnAssign | ast.Expr | ast.Raise) for s in body)
    return straight and bool(_calls(function) & writers)


def audit_writers(trees: Iterable[ast.AST]) -> set[str]:
    """The names of every function that writes an access event: those that create one, and
    (to a fixed point) the thin wrappers around them (change_record, _quarantine_audit, ...)."""
    functions = [
        f
        for tree in trees
        for f in ast.walk(tree)
        if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef)
    ]
    writers = {f.name for f in functions if _creates_access_event(f)}
    while True:
        more = {f.name for f in functions if f.name not in writers and _only_writes(f, writers)}
        if not more:
            return writers
        writers |= more


def _parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(), filename=str(path))


AUDIT_WRITERS = audit_writers(_parse(p) for p in MODULES)


# --- What a surface module must not do ----------------------------------------------------------


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


def _is_audit_context(node: ast.expr) -> bool:
    """An expression that is an AuditContext as our code writes one: `audit`, `x.audit`,
    `AuditContext.from_request(...)`, `audit.with_reason(...)`."""
    if isinstance(node, ast.Name):
        return node.id == "audit"
    if isinstance(node, ast.Attribute):
        return node.attr == "audit"
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        owner = node.func.value
        return (isinstance(owner, ast.Name) and owner.id == "AuditContext") or (
            node.func.attr.startswith("with_") and _is_audit_context(owner)
        )
    return False


def _reads_audit_reason(tree: ast.AST) -> bool:
    return any(
        isinstance(node, ast.Attribute) and node.attr == "reason" and _is_audit_context(node.value)
        for node in ast.walk(tree)
    )


def _uses_reason_session_key(tree: ast.AST) -> bool:
    return any(
        isinstance(node, ast.Constant) and node.value == SESSION_REASONS_KEY
        for node in ast.walk(tree)
    )


def violations(rel: str, tree: ast.AST, writers: set[str]) -> list[tuple[str, str]]:
    """(name, what it does) for each thing this module does that is a selector's or a service's
    job, less the allowed uses."""
    used = _names_used(tree)
    found = [(name, "writes access events itself") for name in sorted(used & writers)]
    if _creates_access_event(tree):
        found.append(("AccessEvent", "creates access events itself"))
    reason = "checks a restricted-record reason itself"
    found += [(name, reason) for name in sorted(used & REASON_READERS)]
    if _reads_audit_reason(tree):
        found.append(("reason", reason))
    if _uses_reason_session_key(tree):
        found.append((repr(SESSION_REASONS_KEY), reason))
    return [(name, what) for name, what in found if (rel, name) not in ALLOWED]


@pytest.mark.parametrize("path", SURFACES, ids=_rel)
def test_no_view_api_admin_task_or_helper_writes_the_audit_or_reads_a_reason(path):
    rel = _rel(path)
    assert violations(rel, _parse(path), AUDIT_WRITERS) == [], (
        f"{rel}: move this into the selector or service that owns it"
    )


def test_the_surfaces_were_found():
    # The scan above must see the modules it guards, or it proves nothing.
    names = {_rel(p) for p in SURFACES}
    assert {
        "acs/views.py",
        "acs/api.py",
        "acs/apps.py",
        "acs/templatetags/acs.py",
        "audit/admin.py",
        "benefits/tasks.py",
        "customer_view/viewers.py",
        "accounts/sso.py",
        "customers/middleware.py",
        "support_needs/handlers.py",
        "benefits/management/commands/sync_legacy.py",
    } <= names
    assert not names & {"acs/selectors.py", "audit/services.py", "customers/models.py"}


def test_the_audit_writers_were_found():
    assert "access_record" in AUDIT_WRITERS
    # Thin wrappers are found whatever they are called, however deep.
    wrappers = ast.parse(
        "def a_record(*, audit):\n"
        '    """Doc."""\n'
        "    access_record(audit=audit, action='change', what='x')\n"
        "def b_refuse(*, audit, customer):\n"
        "    who = customer.pk\n"
        "    a_record(audit=audit)\n"
        "    raise PermissionDenied(who)\n"
        "def c_read(*, audit):\n"
        "    a_record(audit=audit)\n"
        "    return 1\n"
        "def d_check(*, audit):\n"
        "    if not audit.user:\n"
        "        a_record(audit=audit)\n"
    )
    found = audit_writers(
        [ast.parse("def access_record():\n AccessEvent.objects.create()"), wrappers]
    )
    assert found == {"access_record", "a_record", "b_refuse"}


@pytest.mark.parametrize(
    ("source", "names"),
    [
        ("from audit.services import access_record", {"access_record"}),
        ("from support_needs.services.access import change_record", {"change_record"}),
        ("AccessEvent(user=u).save()", {"AccessEvent"}),
        ("models.AccessEvent.objects.create(user=u)", {"AccessEvent"}),
        ("x = audit.reason_for(customer.public_id)", {"reason_for"}),
        ("if audit.reason: pass", {"reason"}),
        ("AuditContext.from_request(request).reason", {"reason"}),
        ("case.audit.session_reasons.get(key)", {"session_reasons"}),
        ("request.session.get(SESSION_REASONS_KEY)", {"SESSION_REASONS_KEY"}),
        (f"request.session.get({SESSION_REASONS_KEY!r})", {repr(SESSION_REASONS_KEY)}),
        ("form.cleaned_data['reason']; event.reason; referral.reason", set()),
    ],
)
def test_the_scan_sees_each_way_of_breaking_the_rule(source, names):
    found = violations("x/views.py", ast.parse(source), {"access_record", "change_record"})
    assert {name for name, _ in found} == names


def test_the_allowlist_is_still_needed():
    for rel, name in ALLOWED:
        tree = _parse(ROOT / rel)
        assert name in _names_used(tree), f"{rel} no longer uses {name}: drop it from ALLOWED"


# --- Templates ----------------------------------------------------------------------------------

CLEARANCE_IN_TEMPLATE = re.compile(r"perms\.\w+\.view_restricted_\w+")


def _templates() -> list[Path]:
    found = list((ROOT / "templates").rglob("*.html"))
    for app in APPS:
        found += (ROOT / app / "templates").rglob("*.html")
    return sorted(found)


def test_templates_show_what_a_selector_decided_about_restricted_records():
    """Whether a colleague is cleared for restricted records is a selector's answer the view
    passes on (e.g. acs.selectors.acs_restricted_names_shown), never a template's own check."""
    templates = _templates()
    assert ROOT / "templates" / "acs" / "includes" / "customer_name.html" in templates
    deciding = [_rel(p) for p in templates if CLEARANCE_IN_TEMPLATE.search(p.read_text())]
    assert deciding == [], "these templates decide restricted-record clearance themselves"


# --- Selectors and services ---------------------------------------------------------------------


def test_the_selectors_and_services_were_found():
    names = {_rel(p) for p in CORE}
    assert {"acs/selectors.py", "audit/services.py", "customers/selectors/access.py"} <= names


@pytest.mark.parametrize("path", CORE, ids=_rel)
def test_selectors_and_services_never_see_an_http_request(path):
    tree = _parse(path)
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
