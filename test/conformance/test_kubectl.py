"""Conformance behaviours checked with kubectl (KUBECTL, default `kubectl` on PATH).

Nothing here talks HTTP itself: every request is kubectl's. KUBECTL_PROTOBUF may name a kubectl
>= 1.32 (which sends protobuf bodies for built-in kinds); without one that behaviour is skipped.
Each test cites where Kubernetes specifies the behaviour (see BEHAVIOURS.md).
"""
import base64
import json
import os
import re
import subprocess
import tempfile
import time

import pytest

from conftest import behaviour, unique

KUBECTL = os.environ.get("KUBECTL", "kubectl")
CACHE = tempfile.mkdtemp(prefix="conformance-kubectl-cache-")


class Result:
    def __init__(self, p):
        self.code, self.out, self.err = p.returncode, p.stdout, p.stderr

    @property
    def json(self):
        return json.loads(self.out)


@pytest.fixture(scope="module")
def k(kubeconfig):
    def run(*args, stdin=None, binary=KUBECTL, check=True):
        env = {**os.environ, "KUBECONFIG": kubeconfig, "KUBECACHEDIR": CACHE}
        p = subprocess.run([binary, *args], input=stdin, capture_output=True, text=True, env=env, timeout=60)
        r = Result(p)
        if check and r.code != 0:
            raise AssertionError(f"kubectl {' '.join(args)} failed ({r.code}):\n{r.err}")
        return r

    return run


@pytest.fixture
def ns(k):
    name = unique("kc")
    k("create", "namespace", name)
    return name


def yaml_of(*objs):
    """A manifest for `kubectl -f -`: one object, or a v1 List of several."""
    return json.dumps(objs[0] if len(objs) == 1 else {"apiVersion": "v1", "kind": "List", "items": list(objs)})


def repo(name, ns, url="https://charts.example.com", **extra):
    return {"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "HelmRepository", "metadata": {"name": name, "namespace": ns}, "spec": {"url": url, **extra}}


def placement(name, ns, spec=None):
    return {"apiVersion": "cluster.open-cluster-management.io/v1beta1", "kind": "Placement", "metadata": {"name": name, "namespace": ns}, "spec": spec if spec is not None else {"numberOfClusters": 1}}


@behaviour("B01", "B24")
def test_crud_with_default_validation(k, ns):
    """kubectl create/get/replace/delete of a custom resource, with kubectl's default --validate=strict."""
    assert "helmrepository.source.toolkit.fluxcd.io/r created" in k("create", "-f", "-", stdin=yaml_of(repo("r", ns))).out
    got = k("get", "helmrepository", "r", "-n", ns, "-o", "json").json
    assert got["metadata"]["generation"] == 1 and got["metadata"]["uid"]
    got["spec"]["url"] = "https://other.example.com"
    k("replace", "-f", "-", stdin=json.dumps(got))
    assert k("get", "helmrepository", "r", "-n", ns, "-o", "jsonpath={.metadata.generation}").out == "2"
    k("delete", "helmrepository", "r", "-n", ns)
    assert k("get", "helmrepository", "r", "-n", ns, check=False).code != 0


@behaviour("B24")
def test_client_side_apply_create_configure_unchanged(k, ns):
    """kubectl apply (client-side): create, then configured (a three-way merge patch), then unchanged."""
    obj = placement("ap", ns)
    assert "created" in k("apply", "-f", "-", stdin=yaml_of(obj)).out
    obj["spec"]["numberOfClusters"] = 2
    assert "configured" in k("apply", "-f", "-", stdin=yaml_of(obj)).out
    assert k("get", "placement", "ap", "-n", ns, "-o", "jsonpath={.spec.numberOfClusters}").out == "2"
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "ap", "namespace": ns}, "data": {"a": "1"}}
    assert "created" in k("apply", "-f", "-", stdin=yaml_of(cm)).out
    assert "unchanged" in k("apply", "-f", "-", stdin=yaml_of(cm)).out


@behaviour("B02")
def test_stale_replace_conflicts(k, ns):
    """api-conventions "Concurrency Control and Consistency"."""
    k("create", "configmap", "c", "-n", ns, "--from-literal=a=1")
    old = k("get", "configmap", "c", "-n", ns, "-o", "json").json
    k("patch", "configmap", "c", "-n", ns, "--type=merge", "-p", '{"data":{"a":"2"}}')
    old["data"]["a"] = "3"
    r = k("replace", "-f", "-", stdin=json.dumps(old), check=False)
    assert r.code != 0 and "the object has been modified" in r.err and "Conflict" in r.err


@behaviour("B03")
def test_errors_from_server(k, ns):
    """api-conventions "Response Status Kind": kubectl prints the reason of the server's Status."""
    r = k("get", "placement", "nope", "-n", ns, check=False)
    assert 'Error from server (NotFound): placements.cluster.open-cluster-management.io "nope" not found' in r.err
    k("create", "-f", "-", stdin=yaml_of(repo("twice", ns)))
    r = k("create", "-f", "-", stdin=yaml_of(repo("twice", ns)), check=False)
    assert "Error from server (AlreadyExists)" in r.err


@behaviour("B04")
def test_label_selectors(k, ns):
    """Labels and Selectors."""
    for name, tier in [("a", "web"), ("b", "db"), ("c", "cache")]:
        k("create", "configmap", name, "-n", ns)
        k("label", "configmap", name, "-n", ns, f"tier={tier}")
    assert k("get", "cm", "-n", ns, "-l", "tier in (web,db)", "-o", "name").out.split() == ["configmap/a", "configmap/b"]
    assert k("get", "cm", "-n", ns, "-l", "tier!=web,tier", "-o", "name").out.split() == ["configmap/b", "configmap/c"]


@behaviour("B05")
def test_field_selectors(k, ns):
    """Field selectors on custom resources: metadata.name and metadata.namespace."""
    k("create", "-f", "-", stdin=yaml_of(repo("f1", ns), repo("f2", ns)))
    assert k("get", "helmrepositories", "-n", ns, "--field-selector", "metadata.name=f2", "-o", "name").out.split() == ["helmrepository.source.toolkit.fluxcd.io/f2"]
    r = k("get", "helmrepositories", "-n", ns, "--field-selector", "spec.url=x", check=False)
    assert r.code != 0 and "BadRequest" in r.err


@behaviour("B06")
def test_watch(k, ns, kubeconfig):
    """api-concepts "Efficient detection of changes": kubectl get --watch prints each event."""
    env = {**os.environ, "KUBECONFIG": kubeconfig, "KUBECACHEDIR": CACHE}
    watcher = subprocess.Popen([KUBECTL, "get", "configmaps", "-n", ns, "--watch-only", "--output-watch-events", "--no-headers"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        time.sleep(1.0)
        k("create", "configmap", "w", "-n", ns)
        k("label", "configmap", "w", "-n", ns, "x=y")
        k("delete", "configmap", "w", "-n", ns)
        time.sleep(0.5)
    finally:
        watcher.terminate()
    out = watcher.communicate(timeout=10)[0].split("\n")
    assert [line.split()[0] for line in out if line] == ["ADDED", "MODIFIED", "DELETED"]


@behaviour("B07")
def test_chunked_get(k, ns):
    """api-concepts "Retrieving large results sets in chunks": kubectl get --chunk-size pages with continue."""
    for n in "abcde":
        k("create", "configmap", n, "-n", ns)
    r = k("get", "configmaps", "-n", ns, "--chunk-size=2", "-o", "name", "-v=6")
    assert r.out.split() == [f"configmap/{n}" for n in "abcde"]
    assert len(re.findall(r"[?&]continue=", r.err)) == 2


@behaviour("B08")
def test_schema_violations(k, ns):
    """CRD "Validation": kubectl shows the 422 with every invalid field."""
    r = k("apply", "-f", "-", stdin=yaml_of(placement("bad", ns, {"numberOfClusters": "two", "sortBy": "Age"})), check=False)
    assert r.code != 0
    assert 'The Placement "bad" is invalid' in r.err
    assert 'spec.numberOfClusters: Invalid value: "string": spec.numberOfClusters in body must be of type integer: "string"' in r.err
    assert 'spec.sortBy: Unsupported value: "Age": supported values: "ClusterName", "Score"' in r.err


@behaviour("B09", "B24")
def test_unknown_fields_by_validate_mode(k, ns):
    """api-concepts "Field validation": kubectl --validate=strict (default) is refused, warn warns, ignore prunes silently."""
    obj = placement("u", ns, {"numberOfClusters": 1, "bogus": True})
    r = k("apply", "-f", "-", stdin=yaml_of(obj), check=False)
    assert r.code != 0 and 'strict decoding error: unknown field "spec.bogus"' in r.err
    r = k("apply", "--validate=warn", "-f", "-", stdin=yaml_of(obj))
    assert 'Warning: unknown field "spec.bogus"' in r.err
    assert "bogus" not in k("get", "placement", "u", "-n", ns, "-o", "json").json["spec"]
    obj["metadata"]["name"] = "u2"
    r = k("apply", "--validate=false", "-f", "-", stdin=yaml_of(obj))
    assert "Warning" not in r.err


@behaviour("B10")
def test_defaults(k, ns):
    """CRD "Defaulting"."""
    k("create", "-f", "-", stdin=yaml_of(placement("d", ns, {})))
    assert k("get", "placement", "d", "-n", ns, "-o", "json").json["spec"] == {"scoreRateLimit": "1m", "sortBy": "ClusterName"}


@behaviour("B11")
def test_server_dry_run(k, ns):
    """api-concepts "Dry-run": kubectl --dry-run=server validates on the server and stores nothing."""
    assert "(server dry run)" in k("apply", "--dry-run=server", "-f", "-", stdin=yaml_of(repo("dry", ns))).out
    assert "(server dry run)" in k("apply", "--server-side", "--dry-run=server", "-f", "-", stdin=yaml_of(repo("dry", ns))).out
    assert k("get", "helmrepositories", "-n", ns, "-o", "name").out == ""
    r = k("apply", "--dry-run=server", "-f", "-", stdin=yaml_of(repo("dry", ns, url="ftp://nope")), check=False)
    assert r.code != 0 and "spec.url" in r.err
    k("create", "configmap", "keep", "-n", ns)
    k("delete", "configmap", "keep", "-n", ns, "--dry-run=server")
    assert k("get", "configmap", "keep", "-n", ns, "-o", "name").out.strip() == "configmap/keep"


@behaviour("B13")
def test_merge_and_json_patch(k, ns):
    """api-concepts "Patch": kubectl patch --type=merge and --type=json."""
    k("create", "-f", "-", stdin=yaml_of(repo("p", ns)))
    k("patch", "helmrepository", "p", "-n", ns, "--type=merge", "-p", '{"spec":{"interval":"5m"}}')
    k("patch", "helmrepository", "p", "-n", ns, "--type=json", "-p", '[{"op":"replace","path":"/spec/url","value":"https://x.example.com"}]')
    spec = k("get", "helmrepository", "p", "-n", ns, "-o", "json").json["spec"]
    assert spec["interval"] == "5m" and spec["url"] == "https://x.example.com"
    r = k("patch", "helmrepository", "p", "-n", ns, "--type=json", "-p", '[{"op":"test","path":"/spec/url","value":"no"}]', check=False)
    assert r.code != 0 and "The request is invalid" in r.err and "testing value /spec/url failed" in r.err


@behaviour("B14")
def test_strategic_merge_patch(k, ns):
    """strategic-merge-patch.md: ports merge by port; custom resources refuse strategic merge patch."""
    k("create", "service", "clusterip", "s", "-n", ns, "--tcp=80:8080", "--tcp=81:8081")
    k("patch", "service", "s", "-n", ns, "-p", '{"spec":{"ports":[{"port":81,"targetPort":9000},{"port":80,"$patch":"delete"}]}}')
    ports = k("get", "service", "s", "-n", ns, "-o", "json").json["spec"]["ports"]
    assert [(p["port"], p["targetPort"]) for p in ports] == [(81, 9000)]
    k("create", "-f", "-", stdin=yaml_of(repo("smp", ns)))
    r = k("patch", "helmrepository", "smp", "-n", ns, "--type=strategic", "-p", '{"spec":{}}', check=False)
    assert r.code != 0 and "application/strategic-merge-patch+json is not supported" in r.err and "accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml" in r.err


@behaviour("B15", "B24")
def test_server_side_apply_conflicts_and_force(k, ns):
    """SSA "Conflicts": kubectl apply --server-side reports the conflicting field and manager; --force-conflicts takes it."""
    obj = repo("ssa", ns, interval="1m")
    assert "serverside-applied" in k("apply", "--server-side", "-f", "-", stdin=yaml_of(obj)).out
    rv = k("get", "helmrepository", "ssa", "-n", ns, "-o", "jsonpath={.metadata.resourceVersion}").out
    k("apply", "--server-side", "-f", "-", stdin=yaml_of(obj))
    assert k("get", "helmrepository", "ssa", "-n", ns, "-o", "jsonpath={.metadata.resourceVersion}").out == rv
    obj["spec"]["interval"] = "2m"
    r = k("apply", "--server-side", "--field-manager=other", "-f", "-", stdin=yaml_of(obj), check=False)
    assert r.code != 0 and 'conflict with "kubectl"' in r.err and ".spec.interval" in r.err
    k("apply", "--server-side", "--field-manager=other", "--force-conflicts", "-f", "-", stdin=yaml_of(obj))
    assert k("get", "helmrepository", "ssa", "-n", ns, "-o", "jsonpath={.spec.interval}").out == "2m"


@behaviour("B16")
def test_apply_map_list_keys(k, ns):
    """SSA "Merge strategy": Service ports are a map list keyed by port and protocol."""

    def svc(*ports):
        return yaml_of({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "m", "namespace": ns}, "spec": {"ports": [{"name": f"p{p}", "port": p, "protocol": "TCP"} for p in ports]}})

    k("apply", "--server-side", "--field-manager=a", "-f", "-", stdin=svc(80))
    k("apply", "--server-side", "--field-manager=b", "-f", "-", stdin=svc(443))
    k("apply", "--server-side", "--field-manager=a", "-f", "-", stdin=svc())
    assert [p["port"] for p in k("get", "service", "m", "-n", ns, "-o", "json").json["spec"]["ports"]] == [443]


@behaviour("B17")
def test_status_subresource(k, ns):
    """CRD "Status subresource": kubectl patch --subresource=status changes status only."""
    k("create", "-f", "-", stdin=yaml_of(repo("st", ns)))
    k("patch", "helmrepository", "st", "-n", ns, "--subresource=status", "--type=merge", "-p", '{"spec":{"url":"https://ignored.example.com"},"status":{"url":"https://charts.example.com/index.yaml"}}')
    got = k("get", "helmrepository", "st", "-n", ns, "-o", "json").json
    assert got["status"] == {"url": "https://charts.example.com/index.yaml"}
    assert got["spec"]["url"] == "https://charts.example.com" and got["metadata"]["generation"] == 1


@behaviour("B19")
def test_finalizers(k, ns):
    """Finalizers: kubectl delete --wait=false leaves the object terminating until the finalizer goes."""
    k("apply", "-f", "-", stdin=yaml_of({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "fin", "namespace": ns, "finalizers": ["example.com/hold"]}}))
    k("delete", "configmap", "fin", "-n", ns, "--wait=false")
    assert k("get", "configmap", "fin", "-n", ns, "-o", "jsonpath={.metadata.deletionTimestamp}").out
    k("patch", "configmap", "fin", "-n", ns, "--type=merge", "-p", '{"metadata":{"finalizers":null}}')
    assert k("get", "configmap", "fin", "-n", ns, check=False).code != 0


@behaviour("B20")
def test_cascading_deletion(k, ns):
    """Use Cascading Deletion: kubectl delete --cascade=background|foreground|orphan."""

    def owned(owner_name):
        uid = k("get", "helmrepository", owner_name, "-n", ns, "-o", "jsonpath={.metadata.uid}").out
        ref = {"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "HelmRepository", "name": owner_name, "uid": uid, "blockOwnerDeletion": True}
        k("apply", "-f", "-", stdin=yaml_of({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"dep-{owner_name}", "namespace": ns, "ownerReferences": [ref]}}))

    for policy in ["background", "foreground", "orphan"]:
        k("create", "-f", "-", stdin=yaml_of(repo(policy, ns)))
        owned(policy)
        k("delete", "helmrepository", policy, "-n", ns, f"--cascade={policy}")
    deadline = time.time() + 10
    while time.time() < deadline and k("get", "configmap", "dep-background", "-n", ns, check=False).code == 0:
        time.sleep(0.1)
    assert k("get", "configmap", "dep-background", "-n", ns, check=False).code != 0
    assert k("get", "configmap", "dep-foreground", "-n", ns, check=False).code != 0  # foreground waits for dependents
    assert k("get", "configmap", "dep-orphan", "-n", ns, "-o", "jsonpath={.metadata.ownerReferences}").out == ""


@behaviour("B21")
def test_scale(k, ns):
    """CRD "Scale subresource": kubectl scale uses /scale."""
    md = {
        "apiVersion": "cluster.x-k8s.io/v1beta2",
        "kind": "MachineDeployment",
        "metadata": {"name": "md", "namespace": ns},
        "spec": {"clusterName": "c", "replicas": 1, "selector": {"matchLabels": {"a": "b"}}, "template": {"metadata": {"labels": {"a": "b"}}, "spec": {"clusterName": "c", "bootstrap": {"dataSecretName": "x"}, "infrastructureRef": {"apiGroup": "infrastructure.cluster.x-k8s.io", "kind": "M", "name": "t"}}}},
    }
    k("apply", "-f", "-", stdin=yaml_of(md))
    r = k("scale", "machinedeployment", "md", "-n", ns, "--replicas=3", "-v=6")
    assert "/machinedeployments/md/scale" in r.err
    assert k("get", "md", "md", "-n", ns, "-o", "jsonpath={.spec.replicas}").out == "3"


@behaviour("B22", "B27")
def test_discovery_preferred_version_and_conversion(k, ns):
    """CRD "Version priority": kubectl uses the preferred version (v1beta1) of the addon group; the object converts."""
    assert "addon.open-cluster-management.io/v1beta1" in k("api-versions").out.split()
    res = k("api-resources", "--api-group=addon.open-cluster-management.io", "-o", "wide").out
    assert re.search(r"managedclusteraddons\s+mca,mcas\s+addon\.open-cluster-management\.io/v1beta1\s+true\s+ManagedClusterAddOn", res)
    addon = {"apiVersion": "addon.open-cluster-management.io/v1alpha1", "kind": "ManagedClusterAddOn", "metadata": {"name": "a", "namespace": ns}, "spec": {"installNamespace": "flux-system"}}
    k("apply", "-f", "-", stdin=yaml_of(addon))
    got = k("get", "mca", "a", "-n", ns, "-o", "json").json
    assert got["apiVersion"] == "addon.open-cluster-management.io/v1beta1"
    assert got["metadata"]["annotations"]["addon.open-cluster-management.io/v1alpha1-install-namespace"] == "flux-system"
    alpha = k("get", "managedclusteraddons.v1alpha1.addon.open-cluster-management.io", "a", "-n", ns, "-o", "json").json
    assert alpha["spec"]["installNamespace"] == "flux-system"


@behaviour("B23")
def test_explain(k):
    """kubectl explain reads the OpenAPI v3 documents."""
    out = k("explain", "placement.spec.numberOfClusters").out
    assert "KIND:       Placement" in out and "FIELD: numberOfClusters <integer>" in out
    out = k("explain", "helmreleases.spec.interval").out
    assert "FIELD: interval <string>" in out and "Interval at which to reconcile the Helm release." in out
    assert "FIELD: ports <[]Object>" in k("explain", "service.spec.ports").out
    # The Swagger 2.0 document, which kubectl fetches as protobuf.
    out = k("explain", "placement.spec", "--output=plaintext-openapiv2").out
    assert "RESOURCE: spec <Object>" in out and "clusterSets\t<[]string>" in out


@behaviour("B25")
def test_protobuf_bodies(k, kubeconfig):
    """api-concepts "Alternate representations of resources": kubectl >= 1.32 sends protobuf for built-in kinds."""
    binary = os.environ.get("KUBECTL_PROTOBUF")
    if not binary:
        pytest.skip("no kubectl >= 1.32 found (set KUBECTL_PROTOBUF)")
    name = unique("pb")
    r = k("create", "namespace", name, "-v=8", binary=binary)
    assert "Content-Type: application/vnd.kubernetes.protobuf" in r.err
    k("create", "configmap", "c", "-n", name, "--from-literal=a=b", binary=binary)
    k("create", "secret", "generic", "s", "-n", name, "--from-literal=k=v", binary=binary)
    k("create", "service", "clusterip", "svc", "-n", name, "--tcp=80:8080", binary=binary)
    k("create", "quota", "q", "-n", name, "--hard=pods=2", binary=binary)
    assert k("get", "configmap", "c", "-n", name, "-o", "jsonpath={.data.a}").out == "b"
    assert k("get", "service", "svc", "-n", name, "-o", "jsonpath={.spec.ports[0].targetPort}").out == "8080"


@behaviour("B26")
def test_table_columns(k, ns):
    """CRD "Additional printer columns": kubectl get shows them."""
    k("create", "-f", "-", stdin=yaml_of(repo("t", ns)))
    header = k("get", "helmrepositories", "-n", ns).out.splitlines()[0].split()
    assert header == ["NAME", "URL", "AGE", "READY", "STATUS"]
    header = k("get", "placements", "-n", ns).out.splitlines()
    assert header == [] or header[0].split()[:2] == ["NAME", "SUCCEEDED"]


@behaviour("B28")
def test_terminating_namespace(k):
    """Namespaces: content cannot be created in a terminating namespace."""
    name = unique("term")
    k("create", "namespace", name)
    k("apply", "-f", "-", stdin=yaml_of({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "hold", "namespace": name, "finalizers": ["example.com/hold"]}}))
    k("delete", "namespace", name, "--wait=false")
    r = k("create", "-f", "-", stdin=yaml_of({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "new", "namespace": name}}), check=False)
    assert r.code != 0 and "Error from server (Forbidden)" in r.err and "because it is being terminated" in r.err


@behaviour("B29")
def test_secret_string_data(k, ns):
    """Secrets: stringData arrives as base64 data."""
    k("apply", "-f", "-", stdin=yaml_of({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": ns}, "stringData": {"token": "abc"}}))
    got = k("get", "secret", "s", "-n", ns, "-o", "json").json
    assert got["data"] == {"token": "YWJj"} and "stringData" not in got and got["type"] == "Opaque"


@behaviour("B31")
def test_certificate_approve(k):
    """CSR approval (what HUB_REGISTRATION=klusterlet does for a joining spoke): `kubectl certificate
    approve` writes the Approved condition through the /approval subresource; a second approval is
    a no-op."""
    name = unique("csr")
    pem = "-----BEGIN CERTIFICATE REQUEST-----\nMIIBconformance\n-----END CERTIFICATE REQUEST-----\n"
    k("create", "-f", "-", stdin=yaml_of({
        "apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest", "metadata": {"name": name},
        "spec": {"request": base64.b64encode(pem.encode()).decode(), "signerName": "kubernetes.io/kube-apiserver-client", "usages": ["client auth"]},
    }))
    assert "approved" in k("certificate", "approve", name).out
    approved = [c for c in k("get", "csr", name, "-o", "json").json["status"]["conditions"] if c["type"] == "Approved"]
    assert len(approved) == 1 and approved[0]["status"] == "True"
    k("certificate", "approve", name)
    again = [c for c in k("get", "csr", name, "-o", "json").json["status"]["conditions"] if c["type"] == "Approved"]
    assert again == approved
