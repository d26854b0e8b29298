"""In a Jupyter kernel with ipywidgets installed, `wait` shows a progress bar widget (skipped where the
kernel tooling or ipywidgets is missing: the Debian packages are python3-nbclient, python3-ipykernel
and python3-ipywidgets)."""
from __future__ import annotations

import json
import os
import sys
import tempfile

import pytest

import spokegraph
from spokegraph import Client

from conftest import PROJECT, unique

jupyter_client = pytest.importorskip("jupyter_client")
pytest.importorskip("ipykernel")
pytest.importorskip("ipywidgets")

CELL = """
from spokegraph import Client
from spokegraph.progress import WidgetProgress, default_progress
progress = default_progress()
assert isinstance(progress, WidgetProgress), type(progress)
deployment = Client({url!r}, {token!r}).wait({id!r}, progress=progress)
print("bar", progress.bar.value, progress.bar.bar_style, progress.bar.description, deployment.phase)
"""


def run_in_kernel(code: str, kernel_dir: str) -> list:
    """Executes `code` in a fresh ipykernel (this interpreter) and returns its iopub messages."""
    from jupyter_client.manager import start_new_kernel

    os.environ["JUPYTER_PATH"] = kernel_dir
    try:
        km, kc = start_new_kernel(kernel_name="python3", startup_timeout=60)
    finally:
        del os.environ["JUPYTER_PATH"]
    try:
        msg_id = kc.execute(code)
        messages = []
        while True:
            msg = kc.get_iopub_msg(timeout=120)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            messages.append(msg)
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                return messages
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def test_wait_in_a_kernel_shows_a_widget(gateway, client: Client, shared_pool, app_bundle) -> None:
    d = client.deploy(PROJECT, unique("widget"), [app_bundle], pool=shared_pool)
    with tempfile.TemporaryDirectory() as home:
        # a kernelspec that runs this very interpreter, with this spokegraph on its path
        os.makedirs(os.path.join(home, "kernels", "python3"))
        with open(os.path.join(home, "kernels", "python3", "kernel.json"), "w") as f:
            json.dump({
                "argv": [sys.executable, "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "env": {"PYTHONPATH": os.path.dirname(os.path.dirname(spokegraph.__file__)), "PYDEVD_DISABLE_FILE_VALIDATION": "1"},
                "display_name": "Python 3", "language": "python",
            }, f)
        messages = run_in_kernel(CELL.format(url=gateway.url, token=gateway.token, id=d.id), home)
    kinds = [m["msg_type"] for m in messages]
    errors = [m["content"] for m in messages if m["msg_type"] == "error"]
    assert not errors, errors
    assert "comm_open" in kinds and "display_data" in kinds, kinds  # widgets created and displayed
    text = "".join(m["content"]["text"] for m in messages if m["msg_type"] == "stream")
    assert "bar 100 success RUNNING RUNNING" in text, text
    client.delete(d)
