"""The spokegraph client: typed methods for the common flow, raw ``query``/``subscribe`` for the rest."""
from __future__ import annotations

import os
import uuid
from typing import Any, Dict, Iterable, List, Literal, Mapping, Optional, Sequence, Union, overload

import requests

from . import queries
from .errors import ConnectionFailed, DeploymentFailed, NotFoundError, ProtocolError, request_error, user_input_error
from .models import (
    AppDeployment,
    ComputePool,
    DeploymentEvent,
    DeploymentPlan,
    GpuQuota,
    ProfileBundle,
    Project,
    QuotaVerdict,
    UserError,
)
from .progress import Progress, default_progress
from .rows import ResultList, result_list
from .subscription import Subscription
from .watch import Watch

DEFAULT_URL = "http://127.0.0.1:4000/graphql"

ProjectRef = Union[str, Project]
"""A project by name (names are unique across tenants) or a :class:`Project`."""
IdRef = Union[str, AppDeployment, ComputePool, ProfileBundle]
"""An object by global id, or the object itself."""
Variables = Union[Mapping[str, Any], Sequence[Mapping[str, Any]]]
"""Bundle variable values: ``{"model": "x"}`` or ``[{"name": "model", "value": "x"}]``."""


def _id(ref: IdRef) -> str:
    return ref if isinstance(ref, str) else ref.id


def _variables(values: Optional[Variables]) -> Optional[List[Dict[str, Any]]]:
    if values is None:
        return None
    if isinstance(values, Mapping):
        return [{"name": k, "value": v} for k, v in values.items()]
    return [dict(v) for v in values]


def _drop_none(d: Dict[str, Any]) -> Dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


class Client:
    """A connection to one spokegraph gateway.

    Args:
        url: the GraphQL endpoint, e.g. ``http://127.0.0.1:4000/graphql`` (default: ``SPOKEGRAPH_URL``,
            else that address). Subscriptions use the same path over ``ws://`` / ``wss://``.
        token: a bearer token (default: ``SPOKEGRAPH_TOKEN``).
        timeout: seconds for each HTTP request and for opening a WebSocket.

    Mutations raise :class:`~spokegraph.errors.UserInputError` subclasses when refused, requests
    raise :class:`~spokegraph.errors.GraphQLRequestError` subclasses, and an unreachable gateway
    :class:`~spokegraph.errors.ConnectionFailed`.
    """

    def __init__(self, url: Optional[str] = None, token: Optional[str] = None, timeout: float = 30.0) -> None:
        self.url: str = url or os.environ.get("SPOKEGRAPH_URL") or DEFAULT_URL
        self.token: Optional[str] = token if token is not None else os.environ.get("SPOKEGRAPH_TOKEN")
        self.timeout = timeout
        self._session = requests.Session()
        if self.token:
            self._session.headers["Authorization"] = f"Bearer {self.token}"
        self._project_ids: Dict[str, str] = {}

    def __repr__(self) -> str:
        return f"Client({self.url!r})"

    # ---- raw access --------------------------------------------------------------------------

    def query(self, document: str, variables: Optional[Mapping[str, Any]] = None, operation_name: Optional[str] = None) -> Dict[str, Any]:
        """Runs a query or mutation over HTTP and returns its ``data``; top-level errors raise.

        Mutation ``userErrors`` are returned as data here (the typed methods raise them).
        """
        body: Dict[str, Any] = {"query": document, "variables": dict(variables or {})}
        if operation_name:
            body["operationName"] = operation_name
        try:
            r = self._session.post(self.url, json=body, timeout=self.timeout)
        except requests.RequestException as e:
            raise ConnectionFailed(f"cannot reach {self.url}: {e}") from None
        try:
            payload = r.json()
        except ValueError:
            raise ProtocolError(f"{self.url} answered HTTP {r.status_code} without a GraphQL response") from None
        if not isinstance(payload, dict):
            raise ProtocolError(f"{self.url} answered HTTP {r.status_code} with {type(payload).__name__}")
        if payload.get("errors"):
            raise request_error(payload["errors"], r.status_code)
        if payload.get("data") is None:
            raise ProtocolError(f"{self.url} answered HTTP {r.status_code} without data")
        return payload["data"]

    def subscribe(self, document: str, variables: Optional[Mapping[str, Any]] = None) -> Subscription:
        """Starts any subscription; iterate the result for each ``data``. Use it as a context manager."""
        return Subscription(self.url, self.token, document, dict(variables or {}), connect_timeout=self.timeout)

    def _mutate(self, document: str, variables: Mapping[str, Any], field: str) -> Dict[str, Any]:
        payload = self.query(document, variables)[field]
        errors = [UserError.from_dict(e) for e in payload.get("userErrors") or []]
        if errors:
            raise user_input_error(errors, field)
        return payload

    def _pages(self, document: str, variables: Dict[str, Any], path: Sequence[str]) -> List[Dict[str, Any]]:
        """Every node of a connection at ``path`` (following ``endCursor``)."""
        nodes: List[Dict[str, Any]] = []
        after: Optional[str] = None
        while True:
            data: Any = self.query(document, {**variables, "after": after})
            for key in path:
                if data is None:
                    raise NotFoundError([UserError(field=[path[0]], message=f"{path[0]} not found or not visible to this token", code="NOT_FOUND")])
                data = data[key]
            nodes.extend(data["nodes"])
            if not data["pageInfo"]["hasNextPage"]:
                return nodes
            after = data["pageInfo"]["endCursor"]

    # ---- projects and quota ------------------------------------------------------------------

    def viewer(self) -> Dict[str, Any]:
        """Who the token is: ``{"isPlatformAdmin": ..., "token": {"id", "name", "prefix"}}``."""
        return self.query(queries.VIEWER)["viewer"]

    def projects(self, tenant: Optional[str] = None) -> ResultList[Project]:
        """Every project visible to the token (of one tenant, when given by name)."""
        tenants = [tenant] if tenant else [t["name"] for t in self._pages(queries.TENANTS, {}, ["tenants"])]
        out: ResultList[Project] = ResultList()
        for name in tenants:
            out.extend(result_list(Project, self._pages(queries.TENANT_PROJECTS, {"tenant": name}, ["tenant", "projects"])))
        return out

    def project(self, name: str) -> Project:
        """A project by name; raises :class:`~spokegraph.errors.NotFoundError` if it is not visible."""
        data = self.query(queries.PROJECT_BY_NAME, {"name": name})["project"]
        if data is None:
            raise NotFoundError([UserError(field=["name"], message=f"project {name!r} not found or not visible to this token", code="NOT_FOUND")])
        project = Project.from_dict(data)
        self._project_ids[project.name] = project.id
        return project

    def _project_name(self, project: ProjectRef) -> str:
        return project if isinstance(project, str) else project.name

    def _project_id(self, project: ProjectRef) -> str:
        if isinstance(project, Project):
            return project.id
        if project not in self._project_ids:
            self.project(project)
        return self._project_ids[project]

    def quota(self, project: ProjectRef) -> ResultList[GpuQuota]:
        """The project's GPU quota per family: limit, used (held by reservations) and available."""
        return ResultList(self.project(self._project_name(project)).gpu_quota)

    def quota_what_if(self, project: ProjectRef, gpu_family: str, count: int) -> QuotaVerdict:
        """Would a request for ``count`` GPUs of ``gpu_family`` be admitted in the project now?"""
        data = self.query(queries.QUOTA_WHAT_IF, {"projectId": self._project_id(project), "gpuFamily": gpu_family, "count": count})
        return QuotaVerdict.from_dict(data["quotaWhatIf"])

    # ---- pools and bundles -------------------------------------------------------------------

    def pools(self, project: ProjectRef, phase: Optional[str] = None) -> ResultList[ComputePool]:
        """The project's compute pools (optionally of one phase), oldest first."""
        nodes = self._pages(queries.POOLS, {"name": self._project_name(project), "phase": phase}, ["project", "computePools"])
        return result_list(ComputePool, nodes)

    def pool(self, pool: IdRef) -> ComputePool:
        """A compute pool by id (fresh from the gateway)."""
        node = self.query(queries.NODE_POOL, {"id": _id(pool)})["node"]
        if node is None or node.get("__typename") != "ComputePool":
            raise NotFoundError([UserError(field=["id"], message="compute pool not found or not visible to this token", code="NOT_FOUND")])
        return ComputePool.from_dict(node)

    def create_pool(
        self,
        project: ProjectRef,
        name: str,
        mode: str,
        infrastructure_bundle: IdRef,
        node_requirements: Mapping[str, Any],
        cluster_count: Optional[int] = None,
        description: Optional[str] = None,
        idempotency_key: Optional[str] = None,
    ) -> ComputePool:
        """Admits a DEDICATED or SHARED pool and starts provisioning it (follow with :meth:`wait`).

        ``node_requirements`` is the GraphQL ``NodeRequirementsInput``, e.g.
        ``{"workerPools": [{"name": "gpu", "nodeCount": 1, "gpu": {"family": "NVIDIA-H100", "countPerNode": 8}}]}``.
        """
        input_ = _drop_none({
            "projectId": self._project_id(project),
            "name": name,
            "mode": mode,
            "infrastructureBundleId": _id(infrastructure_bundle),
            "nodeRequirements": dict(node_requirements),
            "clusterCount": cluster_count,
            "description": description,
            "idempotencyKey": idempotency_key or str(uuid.uuid4()),
        })
        return ComputePool.from_dict(self._mutate(queries.CREATE_POOL, {"input": input_}, "createComputePool")["computePool"])

    def delete_pool(self, pool: IdRef) -> ComputePool:
        """Tears a pool down; refused (IN_USE) while deployments use it."""
        return ComputePool.from_dict(self._mutate(queries.DELETE_POOL, {"id": _id(pool)}, "deleteComputePool")["computePool"])

    def bundles(self, project: ProjectRef, name: Optional[str] = None, type: Optional[str] = None) -> ResultList[ProfileBundle]:
        """Profile bundle versions of the project (of one bundle name or type), oldest first."""
        nodes = self._pages(queries.BUNDLES, {"name": self._project_name(project), "bundle": name, "type": type}, ["project", "profileBundles"])
        return result_list(ProfileBundle, nodes)

    def bundle(self, project: ProjectRef, name: str, version: Optional[int] = None) -> ProfileBundle:
        """One version of a bundle by name (the latest when ``version`` is None)."""
        versions = [b for b in self.bundles(project, name=name) if version is None or b.version == version]
        if not versions:
            what = f"{name} v{version}" if version is not None else name
            raise NotFoundError([UserError(field=["name"], message=f"bundle {what} not found in project {self._project_name(project)}", code="NOT_FOUND")])
        return max(versions, key=lambda b: b.version)

    # ---- deployments -------------------------------------------------------------------------

    def deployments(self, project: ProjectRef, phase: Optional[str] = None) -> ResultList[AppDeployment]:
        """The project's app deployments (optionally of one phase), oldest first."""
        nodes = self._pages(queries.DEPLOYMENTS, {"name": self._project_name(project), "phase": phase}, ["project", "appDeployments"])
        return result_list(AppDeployment, nodes)

    def deployment(self, deployment: IdRef) -> AppDeployment:
        """A deployment by id, fresh from the gateway (phase, status, access URLs, ...)."""
        node = self.query(queries.NODE_DEPLOYMENT, {"id": _id(deployment)})["node"]
        if node is None or node.get("__typename") != "AppDeployment":
            raise NotFoundError([UserError(field=["id"], message="app deployment not found or not visible to this token", code="NOT_FOUND")])
        return AppDeployment.from_dict(node)

    def events(self, deployment: IdRef) -> ResultList[DeploymentEvent]:
        """The deployment's whole progress log, oldest first (for live events use :meth:`watch`)."""
        nodes = self._pages(queries.DEPLOYMENT_EVENTS_PAGE, {"id": _id(deployment)}, ["node", "events"])
        return result_list(DeploymentEvent, nodes)

    @overload
    def deploy(self, project: ProjectRef, name: str, bundles: Iterable[IdRef], *, pool: Optional[IdRef] = ..., new_dedicated_pool: Optional[Mapping[str, Any]] = ...,
               variables: Optional[Variables] = ..., description: Optional[str] = ..., links: Optional[Sequence[Mapping[str, str]]] = ...,
               idempotency_key: Optional[str] = ..., dry_run: Literal[False] = ...) -> AppDeployment: ...

    @overload
    def deploy(self, project: ProjectRef, name: str, bundles: Iterable[IdRef], *, pool: Optional[IdRef] = ..., new_dedicated_pool: Optional[Mapping[str, Any]] = ...,
               variables: Optional[Variables] = ..., description: Optional[str] = ..., links: Optional[Sequence[Mapping[str, str]]] = ...,
               idempotency_key: Optional[str] = ..., dry_run: Literal[True]) -> DeploymentPlan: ...

    def deploy(
        self,
        project: ProjectRef,
        name: str,
        bundles: Iterable[IdRef],
        *,
        pool: Optional[IdRef] = None,
        new_dedicated_pool: Optional[Mapping[str, Any]] = None,
        variables: Optional[Variables] = None,
        description: Optional[str] = None,
        links: Optional[Sequence[Mapping[str, str]]] = None,
        idempotency_key: Optional[str] = None,
        dry_run: bool = False,
    ) -> Union[AppDeployment, DeploymentPlan]:
        """Deploys profile bundle versions onto a RUNNING ``pool`` or a ``new_dedicated_pool``.

        Returns the admitted deployment at once (follow it with :meth:`watch` or :meth:`wait`), or
        with ``dry_run=True`` the :class:`~spokegraph.models.DeploymentPlan` (nothing is written;
        a refusal is in ``plan.refusals`` rather than raised). ``new_dedicated_pool`` is the GraphQL
        ``NewDedicatedPoolInput`` (``infrastructureBundleId``, ``nodeRequirements``, optional ``name``).
        An ``idempotency_key`` is generated when not given, so a retried call cannot deploy twice.
        """
        input_ = _drop_none({
            "projectId": self._project_id(project),
            "name": name,
            "bundleIds": [_id(b) for b in bundles],
            "poolId": _id(pool) if pool is not None else None,
            "newDedicatedPool": dict(new_dedicated_pool) if new_dedicated_pool is not None else None,
            "variables": _variables(variables),
            "description": description,
            "links": [dict(link) for link in links] if links is not None else None,
            "idempotencyKey": None if dry_run else (idempotency_key or str(uuid.uuid4())),
            "dryRun": True if dry_run else None,
        })
        payload = self._mutate(queries.DEPLOY, {"input": input_}, "deployApp")
        if dry_run:
            return DeploymentPlan.from_dict(payload["plan"])
        return AppDeployment.from_dict(payload["appDeployment"])

    def clone(
        self,
        deployment: IdRef,
        name: str,
        *,
        variables: Optional[Variables] = None,
        pool: Optional[IdRef] = None,
        description: Optional[str] = None,
        idempotency_key: Optional[str] = None,
        dry_run: bool = False,
    ) -> Union[AppDeployment, DeploymentPlan]:
        """Deploys a copy under a new name: same bundles, target and values, with optional overrides."""
        input_ = _drop_none({
            "id": _id(deployment),
            "name": name,
            "variables": _variables(variables),
            "poolId": _id(pool) if pool is not None else None,
            "description": description,
            "idempotencyKey": None if dry_run else (idempotency_key or str(uuid.uuid4())),
            "dryRun": True if dry_run else None,
        })
        payload = self._mutate(queries.CLONE, {"input": input_}, "cloneAppDeployment")
        if dry_run:
            return DeploymentPlan.from_dict(payload["plan"])
        return AppDeployment.from_dict(payload["appDeployment"])

    def delete(self, deployment: IdRef) -> AppDeployment:
        """Tears a deployment down (and the dedicated pool made for it); the record stays for audit."""
        return AppDeployment.from_dict(self._mutate(queries.DELETE, {"id": _id(deployment)}, "deleteAppDeployment")["appDeployment"])

    def retry(self, deployment: IdRef) -> AppDeployment:
        """Resumes a FAILED deployment at its failed step."""
        return AppDeployment.from_dict(self._mutate(queries.RETRY, {"id": _id(deployment)}, "retryAppDeployment")["appDeployment"])

    # ---- live progress -----------------------------------------------------------------------

    def watch(self, deployment: IdRef, after: Optional[str] = None, until: Optional[Iterable[str]] = None, max_reconnects: int = 10) -> Watch:
        """Iterator of a deployment's events until it settles (RUNNING, FAILED or DELETED).

        Replays the events after ``after`` (all when None) and continues live; resumes by cursor
        after a disconnect; answers the gateway's pings even while you do not read. See
        :class:`~spokegraph.watch.Watch`.
        """
        return Watch(self, _id(deployment), after=after, until=until, max_reconnects=max_reconnects)

    def watch_pool(self, pool: IdRef, after: Optional[str] = None, until: Optional[Iterable[str]] = None, max_reconnects: int = 10) -> Watch:
        """Like :meth:`watch`, for a compute pool's events."""
        return Watch(self, _id(pool), after=after, until=until, max_reconnects=max_reconnects)

    def wait(self, subject: IdRef, progress: Union[bool, Progress, None] = None, raise_on_failure: bool = True) -> Union[AppDeployment, ComputePool]:
        """Follows a deployment or pool until it settles, showing progress, and returns it fresh.

        ``progress``: None or True for the default display (a widget in Jupyter when ipywidgets is
        installed, text lines otherwise), False for none, or your own :class:`~spokegraph.progress.Progress`.
        Raises :class:`~spokegraph.errors.DeploymentFailed` when it ends FAILED (unless
        ``raise_on_failure`` is False).
        """
        reporter: Optional[Progress] = default_progress() if progress is None or progress is True else (progress or None)
        with Watch(self, _id(subject)) as w:
            for event in w:
                if reporter is not None:
                    reporter.update(event)
        final: Union[AppDeployment, ComputePool] = self.deployment(w.subject_id) if w.kind == "AppDeployment" else self.pool(w.subject_id)
        if reporter is not None:
            reporter.finish(final, w.phase)
        if raise_on_failure and w.phase == "FAILED":
            failure = final.status.failure if final.status else None
            raise DeploymentFailed(w.subject_id, f"{w.kind} {w.name}", failure)
        return final
