"""The client against a real gateway: reads, rows, dry run, deploy/watch/wait, clone, delete, retry,
typed user and request errors, raw query and subscribe."""
from __future__ import annotations

import io
import json

import pytest

import spokegraph
from spokegraph import (
    AuthenticationError,
    BadRequest,
    Client,
    ConnectionFailed,
    DeploymentFailed,
    DeploymentPlan,
    IllegalState,
    InvalidId,
    InvalidName,
    NotFoundError,
    QuotaExceeded,
    TextProgress,
    UserInputError,
)
from spokegraph.queries import PROJECT_EVENTS

from conftest import PROJECT, unique


def assert_flat(rows):
    assert rows, "no rows"
    for row in rows:
        for key, value in row.items():
            assert not isinstance(value, (dict, spokegraph.rows.Model)), f"{key} is nested: {value!r}"
    assert len({tuple(r) for r in rows}) == 1, "every row of a type has the same columns"


def test_projects_quota_and_rows(client: Client) -> None:
    projects = client.projects()
    demo = next(p for p in projects if p.name == PROJECT)
    assert demo.tenant is not None and demo.tenant.name == "demo"
    rows = projects.rows()
    assert_flat(rows)
    assert {"id", "name", "tenant.name", "gpu_quota"} <= set(rows[0])
    assert "NVIDIA-H100" in next(r for r in rows if r["name"] == PROJECT)["gpu_quota"]

    quota = {q.gpu_family: q for q in client.quota(PROJECT)}
    assert quota["NVIDIA-H100"].limit == 16 and quota["NVIDIA-A100"].limit == 8
    assert_flat(client.quota(PROJECT).rows())
    json.dumps(client.quota(PROJECT).rows())  # plain data

    ok = client.quota_what_if(PROJECT, "NVIDIA-H100", 1)
    assert ok.allowed and ok.binding_level is None and {lv.level for lv in ok.levels} == {"PROJECT", "TENANT"}
    refused = client.quota_what_if(demo, "NVIDIA-H100", 17)
    assert not refused.allowed and refused.binding_level == "PROJECT"


def test_pools_and_deployments_as_rows(client: Client, shared_pool) -> None:
    pools = client.pools(PROJECT, phase="RUNNING")
    assert shared_pool.id in [p.id for p in pools]
    rows = pools.rows()
    assert_flat(rows)
    assert {"status.phase", "status.waiting_on.reason", "gpus"} <= set(rows[0])
    assert client.pool(shared_pool.id).mode == "SHARED"


def test_dry_run_returns_the_plan_and_writes_nothing(client: Client, shared_pool, app_bundle) -> None:
    before = len(client.deployments(PROJECT))
    used_before = {q.gpu_family: q.used for q in client.quota(PROJECT)}
    plan = client.deploy(PROJECT, unique("dry"), [app_bundle], pool=shared_pool, variables={"model": "m"}, dry_run=True)
    assert isinstance(plan, DeploymentPlan)
    assert plan.allowed and plan.refusals == []
    assert plan.pool is not None and plan.pool.compute_pool is not None and plan.pool.compute_pool.id == shared_pool.id and not plan.pool.is_new and plan.pool.cluster
    assert [s.step for s in plan.steps] == ["provision-pool", "place", "apply-work", "rollout"]
    assert plan.variable_values["model"] == "m"
    assert {o["kind"] for o in plan.hub_objects} >= {"Placement", "ManifestWork"}
    assert_flat([plan.row()])
    assert len(client.deployments(PROJECT)) == before
    assert {q.gpu_family: q.used for q in client.quota(PROJECT)} == used_before

    # a refused dry run is a plan with refusals, not an exception
    infra = client.bundle(PROJECT, "edge-gpu-cluster")
    big = {"infrastructureBundleId": infra.id, "nodeRequirements": {"workerPools": [{"name": "gpu", "nodeCount": 3, "gpu": {"family": "NVIDIA-H100", "countPerNode": 8}}]}}
    refused = client.deploy(PROJECT, unique("dry"), [app_bundle], new_dedicated_pool=big, dry_run=True)
    assert not refused.allowed and "QUOTA_EXCEEDED" in [r.code for r in refused.refusals]


def test_user_errors_are_typed_with_field_and_code(client: Client, shared_pool, app_bundle) -> None:
    with pytest.raises(InvalidName) as bad_name:
        client.deploy(PROJECT, "Bad_Name", [app_bundle], pool=shared_pool)
    assert bad_name.value.code == "INVALID_NAME" and bad_name.value.field == ["input", "name"]
    assert isinstance(bad_name.value, UserInputError) and "input.name" in str(bad_name.value)

    infra = client.bundle(PROJECT, "edge-gpu-cluster")
    big = {"infrastructureBundleId": infra.id, "nodeRequirements": {"workerPools": [{"name": "gpu", "nodeCount": 3, "gpu": {"family": "NVIDIA-H100", "countPerNode": 8}}]}}
    with pytest.raises(QuotaExceeded) as quota:
        client.deploy(PROJECT, unique("big"), [app_bundle], new_dedicated_pool=big)
    assert quota.value.code == "QUOTA_EXCEEDED" and quota.value.errors[0].message

    with pytest.raises(NotFoundError):
        client.project("no-such-project")


def test_request_errors_are_typed_with_the_extension_code(gateway, client: Client) -> None:
    with pytest.raises(AuthenticationError) as http:
        Client(gateway.url, "not-a-token").projects()
    assert http.value.code == "UNAUTHENTICATED" and http.value.status == 401
    with pytest.raises(AuthenticationError):
        Client(gateway.url, None).quota(PROJECT)
    with pytest.raises(AuthenticationError):
        Client(gateway.url, "not-a-token").subscribe(PROJECT_EVENTS, {"projectId": "x"})
    with pytest.raises(BadRequest) as bad:
        client.query("{ nope }")
    assert bad.value.code == "GRAPHQL_VALIDATION_FAILED"
    with pytest.raises(ConnectionFailed):
        Client("http://127.0.0.1:9/graphql", "t", timeout=2).projects()


def test_deploy_watch_and_wait(client: Client, shared_pool, app_bundle) -> None:
    d = client.deploy(PROJECT, unique("py"), [app_bundle], pool=shared_pool, variables={"model": "Qwen/Qwen2.5-7B-Instruct"})
    assert d.phase == "QUEUED" and d.gpu_requests[0].count == 1
    events = list(client.watch(d.id))
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert events[-1].phase == "RUNNING" and all(e.phase != "RUNNING" for e in events[:-1])
    out = io.StringIO()
    final = client.wait(d, progress=TextProgress(out))  # already RUNNING: replays, then returns
    assert final.phase == "RUNNING" and final.variable_values["model"] == "Qwen/Qwen2.5-7B-Instruct"
    assert {u.component for u in final.access_urls} == {"vllm", "open-webui"}
    text = out.getvalue()
    assert "step 4/4" in text and f"{d.name} is RUNNING" in text and final.access_urls[0].url in text
    log = client.events(d)
    assert [e.seq for e in log] == [e.seq for e in events]
    assert_flat(log.rows())


def test_clone_then_delete_watch_ends_deleted(client: Client, shared_pool, app_bundle) -> None:
    source = client.deploy(PROJECT, unique("src"), [app_bundle], pool=shared_pool)
    client.wait(source, progress=False)
    copy = client.clone(source, unique("copy"), variables={"model": "other"})
    assert copy.name != source.name
    assert client.wait(copy, progress=False).variable_values["model"] == "other"
    for d in (source, copy):
        deleting = client.delete(d)
        assert deleting.phase == "DELETING"
        w = client.watch(d)
        phases = [e.phase for e in w]
        assert phases[-1] == "DELETED" and w.until == frozenset({"DELETED", "FAILED"})
    with pytest.raises(IllegalState):
        client.retry(source)


def test_failed_deployment_raises_and_retry_resumes(client: Client, shared_pool, failing_bundle) -> None:
    d = client.deploy(PROJECT, unique("fail"), [failing_bundle], pool=shared_pool)
    with pytest.raises(DeploymentFailed) as failed:
        client.wait(d, progress=False)
    assert failed.value.failure is not None and failed.value.failure.step == "rollout"
    assert failed.value.failure.reason
    retried = client.retry(d)
    assert retried.retries == 1
    # the watch after a retry does not stop at the earlier FAILED: it follows the new attempt
    w = client.watch(d)
    events = list(w)
    assert any(e.type == "RETRIED" for e in events)
    assert events[-1].phase == "FAILED" and events[-1].seq > next(e.seq for e in events if e.type == "RETRIED")
    client.delete(d)


def test_raw_subscribe_yields_data(client: Client, shared_pool) -> None:
    project = client.project(PROJECT)
    with client.subscribe(PROJECT_EVENTS, {"projectId": project.id, "after": None}) as sub:
        first = next(sub)["projectEvents"]
        assert first["projectSeq"] == 1 and first["cursor"]
        assert sub.connected
    # a domain refusal of a subscription is raised as the same typed error a mutation would give
    with pytest.raises(InvalidId) as bad_id:
        with client.subscribe(PROJECT_EVENTS, {"projectId": shared_pool.id}) as bad:
            next(bad)
    assert bad_id.value.field == ["projectId"]
