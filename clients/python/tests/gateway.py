"""A real spokegraph gateway for the tests: `node scripts/start.mjs` (what `npm start` runs) on a free
port, with its own temporary DATA_DIR (SQLite + simulated hub), the demo content seeded, the simulated
hub at full speed, and a known platform-admin token."""
from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Dict, List, Optional

import requests

REPO = Path(__file__).resolve().parents[3]
READY = re.compile(r"(?:GraphiQL|spokegraph ready): (http://\S+)")


class Gateway:
    def __init__(self, env: Optional[Dict[str, str]] = None, timeout: float = 120.0) -> None:
        self.token = "pytest-" + secrets.token_urlsafe(24)
        self.data_dir = tempfile.mkdtemp(prefix="spokegraph-pytest-")
        self.output: List[str] = []
        child_env = {k: v for k, v in os.environ.items() if not k.startswith(("SIM_", "HUB_", "DATABASE_URL", "SPOKEGRAPH_"))}
        child_env.update({
            "HOST": "127.0.0.1",
            "PORT": "0",
            "DATA_DIR": self.data_dir,
            "BOOTSTRAP_ADMIN_TOKEN": self.token,
            "SEED_DEMO": "true",
            "SIM_SPEED": "0",
            "WORKFLOW_POLL_MS": "100",
            "LOG_LEVEL": "warn",
            "LOG_FORMAT": "json",
        })
        child_env.update(env or {})
        # Its own process group: npm/node and anything they start stop together.
        self.proc = subprocess.Popen(
            ["node", "scripts/start.mjs"], cwd=REPO, env=child_env, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
        )
        found: Dict[str, str] = {}
        ready = threading.Event()

        def pump() -> None:
            assert self.proc.stdout is not None
            for line in self.proc.stdout:
                self.output.append(line.rstrip())
                m = READY.search(line)
                if m and "url" not in found:
                    found["url"] = m.group(1)
                    ready.set()
            ready.set()

        threading.Thread(target=pump, daemon=True).start()
        if not ready.wait(timeout) or "url" not in found:
            self.stop()
            raise RuntimeError("gateway did not start:\n" + "\n".join(self.output[-40:]))
        self.url: str = found["url"]
        base = self.url.rsplit("/graphql", 1)[0]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if requests.get(base + "/readyz", timeout=2).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("gateway not ready:\n" + "\n".join(self.output[-40:]))

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(timeout=10)
        shutil.rmtree(self.data_dir, ignore_errors=True)
