"""`make run`'s wiring: every process under honcho gets the port it is meant to, and the portal's
processes are pointed at the mocks `make run` starts (honcho sets $PORT per process itself)."""

import os
import re
import string
import subprocess
from pathlib import Path

from honcho.environ import expand_processes, parse_procfile

ROOT = Path(__file__).resolve().parents[2]


def make_environment(**variables: str) -> dict[str, str]:
    """The variables `make run` exports to honcho, read from the real Makefile."""
    names = (
        "PORT",
        "WEB_PORT",
        "LEGACY_PORT",
        "LEGACY_BASE_URL",
        "DEMO_CUSTOMERS",
        "SSO_PORT",
        "OIDC_PROVIDER_URL",
    )
    show = "show: ; @" + " && ".join(f"echo {name}=$${name}" for name in names)
    clean = {k: v for k, v in os.environ.items() if k not in names}
    result = subprocess.run(
        ["make", "-s", "--no-print-directory", "--eval", show, "show"]
        + [f"{name}={value}" for name, value in variables.items()],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    return dict(line.split("=", 1) for line in result.stdout.splitlines())


def processes_as_honcho_starts_them(environment: dict[str, str]) -> dict[str, str]:
    """Each Procfile command with its variables expanded in the environment honcho gives it."""
    procfile = parse_procfile((ROOT / "Procfile").read_text())
    started = expand_processes(procfile.processes, env=environment)
    return {
        process.name.split(".")[0]: string.Template(process.cmd).substitute(process.env)
        for process in started
    }


def test_web_and_mocks_bind_the_ports_make_run_was_given_and_no_two_collide():
    environment = make_environment(PORT="8310", LEGACY_PORT="8410", DEMO_CUSTOMERS="300")
    commands = processes_as_honcho_starts_them(environment)
    web = re.search(r"--bind 127\.0\.0\.1:(\d+)", commands["web"])
    mocks = re.search(r"--port (\d+)", commands["mocks"])
    assert web
    assert web.group(1) == "8310"
    assert mocks
    assert mocks.group(1) == "8410"
    assert "--customers 300" in commands["mocks"]
    sso = re.search(r"--port (\d+)", commands["sso"])
    assert sso
    assert sso.group(1) == "8200"
    assert len({web.group(1), mocks.group(1), sso.group(1)}) == 3


def test_the_portal_signs_in_at_the_provider_make_run_starts():
    environment = make_environment(SSO_PORT="8510")
    assert environment["OIDC_PROVIDER_URL"] == "http://127.0.0.1:8510"
    sso = processes_as_honcho_starts_them(environment)["sso"]
    assert "--port 8510" in sso
    assert "--user-claims-file var/sso-users.json" in sso


def test_the_portal_is_pointed_at_the_mocks_make_run_starts():
    assert make_environment(LEGACY_PORT="8410")["LEGACY_BASE_URL"] == "http://127.0.0.1:8410"
    assert make_environment()["LEGACY_BASE_URL"] == "http://127.0.0.1:8100"
    # An explicit LEGACY_BASE_URL (real legacy systems) is left alone.
    chosen = make_environment(LEGACY_BASE_URL="http://legacy.example:9000")
    assert chosen["LEGACY_BASE_URL"] == "http://legacy.example:9000"


def test_the_ready_process_prints_the_web_servers_url_not_its_own_port():
    environment = make_environment(PORT="8310")
    procfile = parse_procfile((ROOT / "Procfile").read_text())
    ready = next(
        p for p in expand_processes(procfile.processes, env=environment) if p.name == "ready.1"
    )
    assert ready.env["PORT"] != "8310"  # honcho's own per-process port
    script = (ROOT / "scripts" / "run_ready.py").read_text()
    port_variable = re.search(r'PORT = os\.environ\.get\("(\w+)"', script)
    assert port_variable
    assert ready.env[port_variable.group(1)] == "8310"


def test_a_test_run_that_collects_nothing_fails_and_ci_runs_make_test():
    # Without xdist workers: pytest's "no tests collected" (5) is the same with them, and starting
    # two workers that each collect the suite would take most of this test's time.
    result = subprocess.run(
        ["scripts/run-tests.sh", "tests/dwpportal/test_make_run.py", "-k", "no_such_test", "-q"],
        cwd=ROOT,
        env={**os.environ, "TEST_WORKERS": "0"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "collected no tests" in result.stderr
    ci = (ROOT / ".ci" / "run").read_text()
    assert "set -euo pipefail" in ci
    assert ci.strip().splitlines()[-1] == "make test"


def test_the_web_process_serves_the_portals_own_404_page_and_its_static_files(tmp_path):
    """Debug is off unless DJANGO_DEBUG=1: an unknown address gets the portal's page, not
    Django's debug page listing every URL pattern, and WhiteNoise still serves the assets."""
    import shlex
    import socket
    import time
    import urllib.error
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    environment = make_environment(PORT=str(port))
    web = processes_as_honcho_starts_them(environment)["web"]
    env = {
        k: v for k, v in os.environ.items() if k not in ("DJANGO_DEBUG", "DJANGO_SETTINGS_MODULE")
    }
    log = (tmp_path / "web.log").open("w")
    process = subprocess.Popen(shlex.split(web), cwd=ROOT, env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"

    def fetch(path: str) -> tuple[int, str, str]:
        try:
            with urllib.request.urlopen(base + path, timeout=10) as answer:
                return answer.status, answer.headers["Content-Type"], answer.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers["Content-Type"], error.read().decode()

    try:
        deadline = time.monotonic() + 60
        while True:  # until the web process answers (not /healthz: it waits 2 s for a worker)
            try:
                status, content_type, page = fetch("/no-such-page/anywhere/")
                break
            except OSError:
                assert process.poll() is None, (tmp_path / "web.log").read_text()
                assert time.monotonic() < deadline, "the web process did not start"
                time.sleep(0.3)
        assert status == 404
        assert content_type.startswith("text/html")
        assert "Page not found" in page
        assert "Go to the home page" in page
        assert "URLconf" not in page
        assert "DEBUG = True" not in page
        stylesheet = re.search(r'href="(/static/[^"]+\.css)"', page)
        assert stylesheet, page
        status, content_type, css = fetch(stylesheet.group(1))
        assert status == 200
        assert content_type.startswith("text/css")
        assert "govuk" in css
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()
