"""Fixtures: one real gateway per test session (see gateway.py), a client, the demo project's bundles
and a SHARED GPU pool to deploy onto."""
from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path
from typing import Iterator

import pytest

try:
    import spokegraph  # noqa: F401 - the installed package (scripts/python-client-tests.sh)
except ImportError:  # a checkout without an install: use the sources next to the tests
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from spokegraph import Client, ComputePool, ProfileBundle  # noqa: E402

from gateway import Gateway  # noqa: E402

PROJECT = "demo-ml"
# Releases named like this component fail in the simulated hub (SIM_FAIL_RELEASES).
FAILING_COMPONENT = "doomed"


@pytest.fixture(scope="session")
def gateway() -> Iterator[Gateway]:
    gw = Gateway(env={"SIM_FAIL_RELEASES": FAILING_COMPONENT})
    yield gw
    gw.stop()


@pytest.fixture(scope="session")
def client(gateway: Gateway) -> Client:
    return Client(gateway.url, gateway.token)


@pytest.fixture(scope="session")
def app_bundle(client: Client) -> ProfileBundle:
    return client.bundle(PROJECT, "llm-inference")


@pytest.fixture(scope="session")
def shared_pool(client: Client) -> ComputePool:
    """A SHARED pool with one 8-GPU H100 host, RUNNING (each llm-inference deployment holds one GPU)."""
    infra = client.bundle(PROJECT, "edge-gpu-cluster")
    pool = client.create_pool(
        PROJECT, unique("pool"), "SHARED", infra,
        {"controlPlane": {"nodeCount": 1}, "workerPools": [{"name": "gpu", "nodeCount": 1, "gpu": {"family": "NVIDIA-H100", "countPerNode": 8}}]},
    )
    pool = client.wait(pool, progress=False)
    assert pool.phase == "RUNNING"
    return pool


@pytest.fixture(scope="session")
def failing_bundle(client: Client) -> str:
    """An APPLICATION bundle whose only release fails on the spoke (through the raw query API)."""
    project = client.project(PROJECT)
    data = client.query(
        "mutation($input: CreateProfileBundleInput!) { createProfileBundle(input: $input) { profileBundle { id } userErrors { field message code } } }",
        {"input": {
            "projectId": project.id, "name": unique("doomed-app"), "type": "APPLICATION",
            "workloadProfiles": [{"name": "serving", "type": "APPLICATION", "components": [{
                "name": FAILING_COMPONENT, "chart": {"repository": "https://charts.example.com/stable", "chart": "server", "version": "1.0.0"},
                "gpu": {"family": "NVIDIA-H100", "count": 1}, "expose": {"port": 8080},
            }]}],
        }},
    )
    assert data["createProfileBundle"]["userErrors"] == []
    return data["createProfileBundle"]["profileBundle"]["id"]


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:6]}"


def pytest_report_header(config: pytest.Config) -> str:
    import spokegraph as sg

    return f"spokegraph client from {os.path.dirname(sg.__file__)}"
