"""Shared fixtures of the conformance suite and the behaviour table.

The simulated hub is started by scripts/conformance.sh, which passes its kubeconfig in
CONFORMANCE_KUBECONFIG. Tests mark the behaviour they check with @behaviour("Bnn"); at the end
the session prints behaviour x client (pass / FAIL / skip / -) and, when CONFORMANCE_REPORT is
set, writes the same table as JSON there.
"""
import json
import os
import re
import uuid

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
CLIENTS = {"test_python_client": "python", "test_kubectl": "kubectl"}
_results = {}  # (behaviour, client) -> list of outcomes
_untested = []


def behaviour(*ids):
    return pytest.mark.behaviour(*ids)


def pytest_configure(config):
    config.addinivalue_line("markers", "behaviour(*ids): behaviours of test/conformance/BEHAVIOURS.md this test checks")


def load_behaviours():
    rows = []
    with open(os.path.join(HERE, "BEHAVIOURS.md"), encoding="utf-8") as f:
        for line in f:
            m = re.match(r"^\| (B\d\d) \| (.+?) \| (.+?) \|$", line.strip())
            if m:
                rows.append((m.group(1), m.group(2)))
    return rows


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        client = CLIENTS.get(item.module.__name__.split(".")[-1], item.module.__name__)
        for mark in item.iter_markers("behaviour"):
            for b in mark.args:
                _results.setdefault((b, client), []).append(report.outcome)


def _cell(outcomes):
    if not outcomes:
        return "-"
    if "failed" in outcomes:
        return "FAIL"
    if all(o == "skipped" for o in outcomes):
        return "skip"
    return "pass"


def pytest_terminal_summary(terminalreporter):
    rows = load_behaviours()
    known = {b for b, _ in rows}
    unknown = sorted({b for b, _ in _results} - known)
    clients = list(CLIENTS.values())
    table = [(b, text, {c: _cell(_results.get((b, c), [])) for c in clients}) for b, text in rows]
    tr = terminalreporter
    tr.write_sep("=", "conformance: behaviour x client")
    width = min(max(len(t) for _, t, _ in table), 90)
    tr.write_line(f"{'ID':<4} {'behaviour':<{width}} " + " ".join(f"{c:<8}" for c in clients))
    for b, text, cells in table:
        short = text if len(text) <= width else text[: width - 1] + "…"
        tr.write_line(f"{b:<4} {short:<{width}} " + " ".join(f"{cells[c]:<8}" for c in clients))
    untested = [b for b, _, cells in table if all(v == "-" for v in cells.values())]
    _untested[:] = untested
    if untested:
        tr.write_line(f"not exercised by any client: {', '.join(untested)}")
    if unknown:
        tr.write_line(f"tests name behaviours BEHAVIOURS.md does not list: {', '.join(unknown)}")
    path = os.environ.get("CONFORMANCE_REPORT")
    if path:
        with open(path, "w", encoding="utf-8") as f:
            json.dump([{"id": b, "behaviour": t, **cells} for b, t, cells in table], f, indent=1)


def pytest_sessionfinish(session, exitstatus):
    # A documented behaviour no client exercised is a failure of the suite (only for a full run).
    if not session.config.option.keyword and not session.config.option.markexpr and exitstatus == 0:
        rows = load_behaviours()
        exercised = {b for b, _ in _results}
        if any(b not in exercised for b, _ in rows) and len({c for _, c in _results}) == len(CLIENTS):
            session.exitstatus = 1


@pytest.fixture(scope="session")
def kubeconfig():
    path = os.environ.get("CONFORMANCE_KUBECONFIG")
    if not path:
        pytest.exit("CONFORMANCE_KUBECONFIG is not set: run scripts/conformance.sh", returncode=2)
    return path


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"
