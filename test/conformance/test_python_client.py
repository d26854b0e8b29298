"""Conformance behaviours checked with the Python `kubernetes` client (Debian python3-kubernetes).

Each test cites where Kubernetes specifies the behaviour (see BEHAVIOURS.md for the references).
Typed APIs are used for built-in kinds, CustomObjectsApi for custom resources, and the client's
own transport (ApiClient.call_api) where the generated API has no switch (apply and JSON patch
content types, raw headers).
"""
import json
import threading
import time

import pytest
from kubernetes import client, config, watch
from kubernetes.client.exceptions import ApiException

from conftest import behaviour, unique

OCM = "cluster.open-cluster-management.io"
PLACEMENTS = dict(group=OCM, version="v1beta1", plural="placements")
# No simulated controller writes HelmRepositories on the hub: their resourceVersion moves only when the test writes.
REPOS = dict(group="source.toolkit.fluxcd.io", version="v1", plural="helmrepositories")


def repo(name, url="https://charts.example.com", **extra):
    return {"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "HelmRepository", "metadata": {"name": name}, "spec": {"url": url, **extra.pop("spec", {})}, **extra}


@pytest.fixture(scope="module")
def api(kubeconfig):
    config.load_kube_config(config_file=kubeconfig)
    return client.ApiClient()


@pytest.fixture(scope="module")
def core(api):
    return client.CoreV1Api(api)


@pytest.fixture(scope="module")
def custom(api):
    return client.CustomObjectsApi(api)


@pytest.fixture
def ns(core):
    name = unique("py")
    core.create_namespace({"metadata": {"name": name}})
    return name


def status_of(e: ApiException):
    return json.loads(e.body)


def raw(api, method, path, body=None, content_type="application/json", query=None, accept="application/json"):
    """A request through the client's own transport; returns (status, headers, decoded body)."""
    try:
        resp = api.call_api(
            path,
            method,
            query_params=list((query or {}).items()),
            header_params={"Content-Type": content_type, "Accept": accept},
            # The transport JSON-encodes bodies itself for JSON content types; others go as given.
            body=body if "json" in content_type or body is None or isinstance(body, (str, bytes)) else json.dumps(body),
            auth_settings=["BearerToken"],
            _preload_content=False,
        )
        r = resp[0]
        data = r.data.decode()
        return r.status, r.headers, json.loads(data) if data else None
    except ApiException as e:
        return e.status, e.headers, json.loads(e.body) if e.body else None


def placement(name, spec=None, **extra):
    return {"apiVersion": f"{OCM}/v1beta1", "kind": "Placement", "metadata": {"name": name}, "spec": spec if spec is not None else {"numberOfClusters": 1}, **extra}


def apply(api, ns, name, body, manager, force=None, dry_run=None):
    query = {"fieldManager": manager}
    if force is not None:
        query["force"] = force  # the client sends Python's True as "True"
    if dry_run:
        query["dryRun"] = "All"
    return raw(api, "PATCH", f"/apis/{OCM}/v1beta1/namespaces/{ns}/placements/{name}", json.dumps(body), "application/apply-patch+yaml", query)


@behaviour("B01", "B18")
def test_crud_and_generation(core, custom, ns):
    """api-concepts "API verbs"; api-conventions "Metadata": generation counts spec changes only."""
    created = custom.create_namespaced_custom_object(namespace=ns, body=repo("r"), **REPOS)
    meta = created["metadata"]
    assert meta["generation"] == 1 and meta["uid"] and meta["resourceVersion"]
    got = custom.get_namespaced_custom_object(namespace=ns, name="r", **REPOS)
    assert got["metadata"]["uid"] == meta["uid"]
    got["spec"]["url"] = "https://other.example.com"
    updated = custom.replace_namespaced_custom_object(namespace=ns, name="r", body=got, **REPOS)
    assert updated["metadata"]["generation"] == 2
    labelled = custom.patch_namespaced_custom_object(namespace=ns, name="r", body={"metadata": {"labels": {"a": "b"}}}, **REPOS)
    assert labelled["metadata"]["generation"] == 2
    assert [i["metadata"]["name"] for i in custom.list_namespaced_custom_object(namespace=ns, **REPOS)["items"]] == ["r"]
    custom.delete_namespaced_custom_object(namespace=ns, name="r", **REPOS)
    with pytest.raises(ApiException) as e:
        custom.get_namespaced_custom_object(namespace=ns, name="r", **REPOS)
    assert e.value.status == 404


@behaviour("B02")
def test_stale_resource_version_conflicts(core, ns):
    """api-conventions "Concurrency Control and Consistency": a stale resourceVersion is a 409 Conflict."""
    cm = core.create_namespaced_config_map(ns, {"metadata": {"name": "c"}, "data": {"a": "1"}})
    core.patch_namespaced_config_map("c", ns, {"data": {"a": "2"}})
    cm.data = {"a": "3"}
    with pytest.raises(ApiException) as e:
        core.replace_namespaced_config_map("c", ns, cm)
    assert e.value.status == 409 and status_of(e.value)["reason"] == "Conflict"


@behaviour("B03")
def test_failures_are_status_objects(core, custom, ns):
    """api-conventions "Response Status Kind"."""
    custom.create_namespaced_custom_object(namespace=ns, body=placement("dup"), **PLACEMENTS)
    with pytest.raises(ApiException) as e:
        custom.create_namespaced_custom_object(namespace=ns, body=placement("dup"), **PLACEMENTS)
    st = status_of(e.value)
    assert (st["kind"], st["status"], st["reason"], st["code"]) == ("Status", "Failure", "AlreadyExists", 409)
    assert st["details"] == {"name": "dup", "group": OCM, "kind": "placements"}
    with pytest.raises(ApiException) as e:
        core.read_namespaced_secret("nope", ns)
    assert status_of(e.value)["reason"] == "NotFound"


@behaviour("B04")
def test_label_selectors(core, ns):
    """Labels and Selectors: equality- and set-based requirements."""
    for name, labels in [("a", {"tier": "web", "env": "prod"}), ("b", {"tier": "db", "env": "dev"}), ("c", {"tier": "web"})]:
        core.create_namespaced_config_map(ns, {"metadata": {"name": name, "labels": labels}})

    def names(sel):
        return sorted(i.metadata.name for i in core.list_namespaced_config_map(ns, label_selector=sel).items)

    assert names("tier=web") == ["a", "c"]
    assert names("tier!=web") == ["b"]
    assert names("env in (prod,dev)") == ["a", "b"]
    assert names("env notin (prod)") == ["b", "c"]
    assert names("env") == ["a", "b"]
    assert names("!env") == ["c"]


@behaviour("B05")
def test_field_selectors(custom, ns):
    """CRDs support metadata.name and metadata.namespace field selectors; other fields are refused."""
    for n in ["f1", "f2"]:
        custom.create_namespaced_custom_object(namespace=ns, body=placement(n), **PLACEMENTS)
    items = custom.list_namespaced_custom_object(namespace=ns, field_selector="metadata.name=f2", **PLACEMENTS)["items"]
    assert [i["metadata"]["name"] for i in items] == ["f2"]
    with pytest.raises(ApiException) as e:
        custom.list_namespaced_custom_object(namespace=ns, field_selector="spec.numberOfClusters=1", **PLACEMENTS)
    assert e.value.status == 400


@behaviour("B06", "B12")
def test_watch_stream_with_watch_true(core, ns):
    """api-concepts "Efficient detection of changes"; the client sends watch=True."""
    events = []
    rv = core.list_namespaced_config_map(ns).metadata.resource_version
    w = watch.Watch()

    def run():
        for ev in w.stream(core.list_namespaced_config_map, ns, resource_version=rv, timeout_seconds=10):
            events.append((ev["type"], ev["object"].metadata.name))
            if ev["type"] == "DELETED":
                w.stop()

    t = threading.Thread(target=run)
    t.start()
    time.sleep(0.3)
    core.create_namespaced_config_map(ns, {"metadata": {"name": "w"}})
    core.patch_namespaced_config_map("w", ns, {"data": {"x": "1"}})
    core.delete_namespaced_config_map("w", ns)
    t.join(15)
    assert events == [("ADDED", "w"), ("MODIFIED", "w"), ("DELETED", "w")]


@behaviour("B06")
def test_watch_resumes_from_a_resource_version(core, ns):
    """api-concepts: a watch from resourceVersion N replays every change after N."""
    rv = core.list_namespaced_config_map(ns).metadata.resource_version
    core.create_namespaced_config_map(ns, {"metadata": {"name": "r1"}})
    core.create_namespaced_config_map(ns, {"metadata": {"name": "r2"}})
    w = watch.Watch()
    seen = []
    for ev in w.stream(core.list_namespaced_config_map, ns, resource_version=rv, timeout_seconds=2):
        seen.append((ev["type"], ev["object"].metadata.name))
        if len(seen) == 2:
            w.stop()
    assert seen == [("ADDED", "r1"), ("ADDED", "r2")]


@behaviour("B07")
def test_chunked_list_is_a_consistent_snapshot(core, ns):
    """api-concepts "Retrieving large results sets in chunks": pages are served at the first page's resourceVersion."""
    for n in "abcd":
        core.create_namespaced_config_map(ns, {"metadata": {"name": n}, "data": {"v": "1"}})
    first = core.list_namespaced_config_map(ns, limit=2)
    assert [i.metadata.name for i in first.items] == ["a", "b"] and first.metadata.remaining_item_count == 2
    core.delete_namespaced_config_map("c", ns)
    core.patch_namespaced_config_map("d", ns, {"data": {"v": "2"}})
    second = core.list_namespaced_config_map(ns, limit=2, _continue=first.metadata._continue)
    assert [(i.metadata.name, i.data["v"]) for i in second.items] == [("c", "1"), ("d", "1")]
    assert second.metadata.resource_version == first.metadata.resource_version


@behaviour("B08")
def test_schema_validation(custom, ns):
    """CRD "Validation": every violation is a cause of one 422 Invalid."""
    with pytest.raises(ApiException) as e:
        custom.create_namespaced_custom_object(namespace=ns, body=placement("bad", {"numberOfClusters": "two", "sortBy": "Age", "clusterSets": "not-a-list"}), **PLACEMENTS)
    st = status_of(e.value)
    assert e.value.status == 422 and st["reason"] == "Invalid"
    assert sorted((c["reason"], c["field"]) for c in st["details"]["causes"]) == [
        ("FieldValueNotSupported", "spec.sortBy"),
        ("FieldValueTypeInvalid", "spec.clusterSets"),
        ("FieldValueTypeInvalid", "spec.numberOfClusters"),
    ]


@behaviour("B09")
def test_unknown_fields_and_field_validation(api, ns):
    """api-concepts "Field validation": Warn (default) prunes with a Warning, Strict refuses with 400, Ignore is silent."""
    path = f"/apis/{OCM}/v1beta1/namespaces/{ns}/placements"
    code, headers, body = raw(api, "POST", path, placement("warn", {"numberOfClusters": 1, "bogus": True}))
    assert code == 201 and "bogus" not in body["spec"]
    assert headers.get("Warning") == '299 - "unknown field \\"spec.bogus\\""'
    code, _, body = raw(api, "POST", path, placement("strict", {"bogus": True}), query={"fieldValidation": "Strict"})
    assert code == 400 and body["message"].endswith('strict decoding error: unknown field "spec.bogus"')
    code, headers, _ = raw(api, "POST", path, placement("ignore", {"bogus": True}), query={"fieldValidation": "Ignore"})
    assert code == 201 and headers.get("Warning") is None


@behaviour("B10")
def test_schema_defaults(custom, ns):
    """CRD "Defaulting": defaults of the schema are applied when an object is written."""
    p = custom.create_namespaced_custom_object(namespace=ns, body=placement("d", {}), **PLACEMENTS)
    assert p["spec"] == {"scoreRateLimit": "1m", "sortBy": "ClusterName"}


@behaviour("B11")
def test_dry_run(core, custom, api, ns):
    """api-concepts "Dry-run": the request is validated and answered; nothing is persisted."""
    created = custom.create_namespaced_custom_object(namespace=ns, body=placement("dry"), dry_run="All", **PLACEMENTS)
    assert created["metadata"]["name"] == "dry"
    assert custom.list_namespaced_custom_object(namespace=ns, **PLACEMENTS)["items"] == []
    code, _, _ = apply(api, ns, "dry", placement("dry"), "m", dry_run=True)
    assert code == 201
    core.create_namespaced_config_map(ns, {"metadata": {"name": "keep"}, "data": {"a": "1"}})
    assert core.patch_namespaced_config_map("keep", ns, {"data": {"a": "2"}}, dry_run="All").data == {"a": "2"}
    core.delete_namespaced_config_map("keep", ns, dry_run="All")
    assert core.read_namespaced_config_map("keep", ns).data == {"a": "1"}


@behaviour("B12", "B15")
def test_apply_conflict_and_force_true(api, ns):
    """SSA "Conflicts": a field another manager owns with another value is a 409 unless forced (force=True)."""
    path = f"/apis/source.toolkit.fluxcd.io/v1/namespaces/{ns}/helmrepositories/idem"
    code, _, body = raw(api, "PATCH", path, json.dumps(repo("idem")), "application/apply-patch+yaml", {"fieldManager": "alpha"})
    assert code == 201
    code, _, again = raw(api, "PATCH", path, json.dumps(repo("idem")), "application/apply-patch+yaml", {"fieldManager": "alpha"})
    assert code == 200 and again["metadata"]["resourceVersion"] == body["metadata"]["resourceVersion"]
    code, _, _ = apply(api, ns, "ssa", placement("ssa", {"numberOfClusters": 1}), "alpha")
    assert code == 201
    code, _, st = apply(api, ns, "ssa", placement("ssa", {"numberOfClusters": 2}), "beta")
    assert code == 409
    assert st["details"]["causes"] == [{"reason": "FieldManagerConflict", "message": 'conflict with "alpha"', "field": ".spec.numberOfClusters"}]
    assert st["message"] == 'Apply failed with 1 conflict: conflict with "alpha": .spec.numberOfClusters'
    code, _, forced = apply(api, ns, "ssa", placement("ssa", {"numberOfClusters": 2}), "beta", force=True)
    assert code == 200 and forced["spec"]["numberOfClusters"] == 2


@behaviour("B13")
def test_merge_and_json_patch(api, core, ns):
    """api-concepts "Patch": RFC 7386 merge patch (null deletes) and RFC 6902 JSON patch (a failed test is 422)."""
    core.create_namespaced_config_map(ns, {"metadata": {"name": "m", "labels": {"a": "1", "b": "2"}}, "data": {"x": "1"}})
    code, _, body = raw(api, "PATCH", f"/api/v1/namespaces/{ns}/configmaps/m", {"metadata": {"labels": {"a": None}}}, "application/merge-patch+json")
    assert code == 200 and body["metadata"]["labels"] == {"b": "2"}
    ops = [{"op": "add", "path": "/data/y", "value": "2"}, {"op": "remove", "path": "/data/x"}]
    code, _, body = raw(api, "PATCH", f"/api/v1/namespaces/{ns}/configmaps/m", ops, "application/json-patch+json")
    assert code == 200 and body["data"] == {"y": "2"}
    code, _, _ = raw(api, "PATCH", f"/api/v1/namespaces/{ns}/configmaps/m", [{"op": "test", "path": "/data/y", "value": "nope"}], "application/json-patch+json")
    assert code == 422


@behaviour("B14")
def test_strategic_merge_patch(core, api, ns):
    """strategic-merge-patch.md: Service ports merge by port; $patch: delete removes one; CRs answer 415."""
    core.create_namespaced_service(ns, {"metadata": {"name": "s"}, "spec": {"ports": [{"name": "a", "port": 80}, {"name": "b", "port": 81}]}})
    patched = core.patch_namespaced_service("s", ns, {"spec": {"ports": [{"port": 81, "targetPort": 9000}, {"port": 80, "$patch": "delete"}]}})
    assert [(p.port, p.name, p.target_port) for p in patched.spec.ports] == [(81, "b", 9000)]
    code, _, _ = raw(api, "PATCH", f"/apis/{OCM}/v1beta1/namespaces/{ns}/placements/x", {"spec": {}}, "application/strategic-merge-patch+json")
    assert code == 415


@behaviour("B16")
def test_apply_map_lists_per_key(api, ns):
    """SSA "Merge strategy": x-kubernetes-list-type map items are owned per key; an applier removes only what it alone owned."""
    path = f"/api/v1/namespaces/{ns}/services/svc"

    def svc(ports):
        return json.dumps({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "svc"}, "spec": {"ports": ports}})

    assert raw(api, "PATCH", path, svc([{"port": 80, "protocol": "TCP", "name": "http"}]), "application/apply-patch+yaml", {"fieldManager": "a"})[0] == 201
    code, _, body = raw(api, "PATCH", path, svc([{"port": 443, "protocol": "TCP", "name": "https"}]), "application/apply-patch+yaml", {"fieldManager": "b"})
    assert code == 200 and [p["port"] for p in body["spec"]["ports"]] == [80, 443]
    code, _, body = raw(api, "PATCH", path, svc([]), "application/apply-patch+yaml", {"fieldManager": "a"})
    assert code == 200 and [p["port"] for p in body["spec"]["ports"]] == [443]


@behaviour("B17")
def test_status_subresource(custom, ns):
    """CRD "Status subresource": the main resource ignores status, /status ignores everything else."""
    created = custom.create_namespaced_custom_object(namespace=ns, body=repo("st", status={"url": "x"}), **REPOS)
    assert "status" not in created
    created["spec"]["url"] = "https://changed.example.com"
    created["status"] = {"url": "https://charts.example.com/index.yaml"}
    st = custom.replace_namespaced_custom_object_status(namespace=ns, name="st", body=created, **REPOS)
    assert st["spec"]["url"] == "https://charts.example.com" and st["metadata"]["generation"] == 1
    assert st["status"] == {"url": "https://charts.example.com/index.yaml"}


@behaviour("B19")
def test_finalizers_hold_deletion(core, ns):
    """Finalizers: delete sets deletionTimestamp and the object stays until its finalizers are removed."""
    core.create_namespaced_config_map(ns, {"metadata": {"name": "fin", "finalizers": ["example.com/hold"]}})
    core.delete_namespaced_config_map("fin", ns)
    held = core.read_namespaced_config_map("fin", ns)
    assert held.metadata.deletion_timestamp is not None
    core.patch_namespaced_config_map("fin", ns, {"metadata": {"finalizers": None}})
    with pytest.raises(ApiException) as e:
        core.read_namespaced_config_map("fin", ns)
    assert e.value.status == 404


def _eventually(f, timeout=5.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if f():
            return True
        time.sleep(0.05)
    return f()


@behaviour("B20")
def test_garbage_collection(core, custom, ns):
    """Garbage collection: Background collects dependents, Orphan keeps them without the reference, Foreground deletes them first."""

    def owner(name):
        o = custom.create_namespaced_custom_object(namespace=ns, body=placement(name), **PLACEMENTS)
        return {"apiVersion": o["apiVersion"], "kind": "Placement", "name": name, "uid": o["metadata"]["uid"]}

    def gone(name):
        try:
            core.read_namespaced_config_map(name, ns)
            return False
        except ApiException as e:
            return e.status == 404

    core.create_namespaced_config_map(ns, {"metadata": {"name": "bg", "ownerReferences": [owner("o-bg")]}})
    custom.delete_namespaced_custom_object(namespace=ns, name="o-bg", **PLACEMENTS)
    assert _eventually(lambda: gone("bg"))

    core.create_namespaced_config_map(ns, {"metadata": {"name": "or", "ownerReferences": [owner("o-or")]}})
    custom.delete_namespaced_custom_object(namespace=ns, name="o-or", propagation_policy="Orphan", **PLACEMENTS)
    assert _eventually(lambda: not core.read_namespaced_config_map("or", ns).metadata.owner_references)

    core.create_namespaced_config_map(ns, {"metadata": {"name": "fg", "ownerReferences": [{**owner("o-fg"), "blockOwnerDeletion": True}]}})
    deleting = custom.delete_namespaced_custom_object(namespace=ns, name="o-fg", body=client.V1DeleteOptions(propagation_policy="Foreground"), **PLACEMENTS)
    assert deleting["metadata"]["finalizers"] == ["foregroundDeletion"]
    assert _eventually(lambda: gone("fg"))


@behaviour("B21")
def test_scale_subresource(api, custom, ns):
    """CRD "Scale subresource": autoscaling/v1 Scale over spec.replicas/status.replicas."""
    md = {
        "apiVersion": "cluster.x-k8s.io/v1beta2",
        "kind": "MachineDeployment",
        "metadata": {"name": "md"},
        "spec": {"clusterName": "c", "replicas": 1, "selector": {"matchLabels": {"a": "b"}}, "template": {"metadata": {"labels": {"a": "b"}}, "spec": {"clusterName": "c", "bootstrap": {"dataSecretName": "x"}, "infrastructureRef": {"apiGroup": "infrastructure.cluster.x-k8s.io", "kind": "M", "name": "t"}}}},
    }
    g = dict(group="cluster.x-k8s.io", version="v1beta2", plural="machinedeployments")
    custom.create_namespaced_custom_object(namespace=ns, body=md, **g)
    scale = custom.get_namespaced_custom_object_scale(namespace=ns, name="md", **g)
    assert scale["kind"] == "Scale" and scale["spec"]["replicas"] == 1
    custom.patch_namespaced_custom_object_scale(namespace=ns, name="md", body={"spec": {"replicas": 3}}, **g)
    assert custom.get_namespaced_custom_object(namespace=ns, name="md", **g)["spec"]["replicas"] == 3


@behaviour("B22")
def test_discovery(api):
    """CRD "Version priority": the preferred version of a group is its highest-priority served version."""
    groups = client.ApisApi(api).get_api_versions().groups
    addon = next(g for g in groups if g.name == "addon.open-cluster-management.io")
    assert addon.preferred_version.version == "v1beta1"
    code, _, res = raw(api, "GET", "/apis/cluster.x-k8s.io/v1beta2")
    md = next(r for r in res["resources"] if r["name"] == "machinedeployments")
    assert md["namespaced"] and md["kind"] == "MachineDeployment" and "md" in md["shortNames"] and "patch" in md["verbs"]
    assert {"machinedeployments/status", "machinedeployments/scale"} <= {r["name"] for r in res["resources"]}


@behaviour("B23")
def test_openapi_v3(api):
    """api-concepts "OpenAPI interface definition": /openapi/v3 lists group-version documents with the kinds' schemas."""
    code, _, index = raw(api, "GET", "/openapi/v3")
    assert code == 200
    url = index["paths"]["apis/helm.toolkit.fluxcd.io/v2"]["serverRelativeURL"]
    path, _, query = url.partition("?")
    code, _, doc = raw(api, "GET", path, query=dict([query.split("=")]))
    hr = doc["components"]["schemas"]["io.fluxcd.toolkit.helm.v2.HelmRelease"]
    assert hr["x-kubernetes-group-version-kind"] == [{"group": "helm.toolkit.fluxcd.io", "version": "v2", "kind": "HelmRelease"}]
    assert "interval" in hr["properties"]["spec"]["required"]
    code, _, v2 = raw(api, "GET", "/openapi/v2")
    assert code == 200 and v2["swagger"] == "2.0"


@behaviour("B25")
def test_media_types(api, ns):
    """api-concepts "Alternate representations of resources": 415 for bodies it cannot decode, 406 when nothing acceptable can be produced."""
    code, _, st = raw(api, "POST", f"/apis/{OCM}/v1beta1/namespaces/{ns}/placements", b"k8s\x00", "application/vnd.kubernetes.protobuf")
    assert code == 415 and st["reason"] == "UnsupportedMediaType"
    code, _, st = raw(api, "GET", f"/api/v1/namespaces/{ns}", accept="application/vnd.kubernetes.protobuf")
    assert code == 406 and st["reason"] == "NotAcceptable"
    code, headers, _ = raw(api, "GET", f"/api/v1/namespaces/{ns}", accept="application/vnd.kubernetes.protobuf, application/json")
    assert code == 200 and headers["Content-Type"] == "application/json"


@behaviour("B27")
def test_multi_version_conversion(custom, ns):
    """CRD "Versions": an object written at one served version reads at another, converted."""
    alpha = dict(group="addon.open-cluster-management.io", version="v1alpha1", plural="managedclusteraddons")
    beta = dict(alpha, version="v1beta1")
    custom.create_namespaced_custom_object(namespace=ns, body={"apiVersion": "addon.open-cluster-management.io/v1alpha1", "kind": "ManagedClusterAddOn", "metadata": {"name": "a"}, "spec": {"installNamespace": "flux-system"}}, **alpha)
    b = custom.get_namespaced_custom_object(namespace=ns, name="a", **beta)
    assert b["apiVersion"] == "addon.open-cluster-management.io/v1beta1"
    assert b["metadata"]["annotations"]["addon.open-cluster-management.io/v1alpha1-install-namespace"] == "flux-system"
    assert "installNamespace" not in b["spec"]


@behaviour("B28")
def test_terminating_namespace_refuses_content(core, custom):
    """Namespaces: while a namespace terminates, creating content in it is Forbidden."""
    name = unique("term")
    core.create_namespace({"metadata": {"name": name}})
    core.create_namespaced_config_map(name, {"metadata": {"name": "hold", "finalizers": ["example.com/hold"]}})
    core.delete_namespace(name)
    with pytest.raises(ApiException) as e:
        core.create_namespaced_config_map(name, {"metadata": {"name": "new"}})
    assert e.value.status == 403


@behaviour("B29")
def test_secret_string_data(core, ns):
    """Secrets: stringData is write-only and merged into data, base64-encoded."""
    s = core.create_namespaced_secret(ns, {"metadata": {"name": "s"}, "stringData": {"token": "abc"}})
    assert s.data == {"token": "YWJj"} and s.string_data is None and s.type == "Opaque"


@behaviour("B30")
def test_delete_collection(core, ns):
    """api-concepts "API verbs": deletecollection deletes what the selector matches."""
    for n, tier in [("x", "a"), ("y", "a"), ("z", "b")]:
        core.create_namespaced_config_map(ns, {"metadata": {"name": n, "labels": {"tier": tier}}})
    core.delete_collection_namespaced_config_map(ns, label_selector="tier=a")
    assert [i.metadata.name for i in core.list_namespaced_config_map(ns).items] == ["z"]
