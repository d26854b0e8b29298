"""Result types: dataclasses mirroring the GraphQL objects the client reads (snake_case fields).

Every one converts to a flat row (``.row()``) and lists of them to rows (``.rows()``), for
``pandas.DataFrame(...)`` or any table, without this package importing pandas.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from .rows import Model

#: Phases after which a deployment or pool does not move by itself.
SETTLED_PHASES = frozenset({"RUNNING", "FAILED", "DELETED"})


@dataclass
class Ref(Model):
    """A reference to another object: its global id and name."""

    id: Optional[str] = None
    name: Optional[str] = None

    def text(self) -> str:
        return self.name or self.id or ""


@dataclass
class UserError(Model):
    """One reason a mutation refused its input."""

    field: Optional[List[str]] = None
    message: str = ""
    code: str = ""

    def text(self) -> str:
        return f"{self.code} {'.'.join(self.field or [])}: {self.message}"


@dataclass
class GpuQuota(Model):
    """Limit and reservations for one GPU family."""

    gpu_family: str = ""
    limit: int = 0
    used: int = 0
    available: int = 0

    def text(self) -> str:
        return f"{self.gpu_family} {self.used}/{self.limit}"


@dataclass
class Project(Model):
    """A team workspace in a tenant; its name is its hub namespace."""

    id: str = ""
    name: str = ""
    display_name: Optional[str] = None
    description: Optional[str] = None
    namespace: Optional[str] = None
    tenant: Optional[Ref] = None
    gpu_quota: List[GpuQuota] = field(default_factory=list)
    created_at: Optional[_dt.datetime] = None


@dataclass
class QuotaLevelVerdict(Model):
    """Admission's answer at one level (PROJECT or TENANT) for one GPU family."""

    level: str = ""
    gpu_family: str = ""
    requested: int = 0
    used: int = 0
    limit: int = 0
    available: int = 0
    allowed: bool = False

    def text(self) -> str:
        verdict = "ok" if self.allowed else "REFUSED"
        return f"{self.level} {self.gpu_family} {self.requested} (+{self.used}/{self.limit}) {verdict}"


@dataclass
class QuotaVerdict(Model):
    """What admission would answer now for a GPU request (``quota_what_if``)."""

    allowed: bool = False
    binding_level: Optional[str] = None
    levels: List[QuotaLevelVerdict] = field(default_factory=list)


@dataclass
class GpuAllocation(Model):
    """GPU capacity and allocation of a pool (or one of its clusters) for one family."""

    gpu_family: str = ""
    capacity: int = 0
    allocated: int = 0
    free: int = 0

    def text(self) -> str:
        return f"{self.gpu_family} {self.allocated}/{self.capacity}"


@dataclass
class WaitingOn(Model):
    """Why a pool or deployment is not done yet."""

    reason: str = ""
    message: str = ""
    since: Optional[_dt.datetime] = None


@dataclass
class Failure(Model):
    """Why it FAILED; ``retry`` resumes at ``step``."""

    reason: str = ""
    step: str = ""
    message: str = ""


@dataclass
class ProgressStatus(Model):
    """Where a pool or deployment is, and why it waits."""

    phase: str = ""
    percent: int = 0
    current_step: Optional[str] = None
    step_index: Optional[int] = None
    step_count: Optional[int] = None
    waiting_on: Optional[WaitingOn] = None
    failure: Optional[Failure] = None


@dataclass
class ComputePool(Model):
    """Kubernetes cluster(s) where apps run (DEDICATED: one deployment; SHARED: many)."""

    id: str = ""
    name: str = ""
    mode: str = ""
    phase: str = ""
    cluster_count: Optional[int] = None
    kubernetes_version: Optional[str] = None
    gpus: List[GpuAllocation] = field(default_factory=list)
    status: Optional[ProgressStatus] = None
    created_at: Optional[_dt.datetime] = None


@dataclass
class VariableDefinition(Model):
    """A typed input of a profile bundle."""

    name: str = ""
    type: str = ""
    default: Any = None
    required: bool = False
    locked: bool = False
    description: Optional[str] = None

    def text(self) -> str:
        return self.name


@dataclass
class ProfileBundle(Model):
    """One immutable version of a profile bundle."""

    id: str = ""
    name: str = ""
    version: int = 0
    version_label: str = ""
    bundle_type: str = ""
    description: Optional[str] = None
    variables: List[VariableDefinition] = field(default_factory=list)


@dataclass
class AccessUrl(Model):
    """Where an exposed component is reachable once the deployment is RUNNING."""

    component: str = ""
    url: str = ""
    port: int = 0

    def text(self) -> str:
        return self.url


@dataclass
class GpuRequest(Model):
    """GPUs requested (and, once admitted, held) of one family."""

    gpu_family: str = ""
    count: int = 0

    def text(self) -> str:
        return f"{self.count} {self.gpu_family}"


@dataclass
class AppDeployment(Model):
    """An application deployed from profile bundles onto a compute pool (immutable: clone to change)."""

    id: str = ""
    name: str = ""
    phase: str = ""
    project: Optional[Ref] = None
    compute_pool: Optional[Ref] = None
    cluster: Optional[str] = None
    retries: int = 0
    variable_values: Dict[str, Any] = field(default_factory=dict, metadata={"row": False})
    gpu_requests: List[GpuRequest] = field(default_factory=list)
    access_urls: List[AccessUrl] = field(default_factory=list)
    status: Optional[ProgressStatus] = None
    created_at: Optional[_dt.datetime] = None
    updated_at: Optional[_dt.datetime] = None
    deleted_at: Optional[_dt.datetime] = None


@dataclass
class PlanPool(Model):
    """The pool a planned deployment would use (``is_new``: a dedicated pool made for it)."""

    compute_pool: Optional[Ref] = None
    name: str = ""
    mode: str = ""
    is_new: bool = False
    cluster: Optional[str] = None
    machines: List[str] = field(default_factory=list)


@dataclass
class PlanStep(Model):
    """One step the deployment flow would run."""

    step: str = ""
    title: str = ""

    def text(self) -> str:
        return self.step


@dataclass
class DeploymentPlan(Model):
    """What ``deploy(..., dry_run=True)`` would do; nothing was written."""

    allowed: bool = False
    refusals: List[UserError] = field(default_factory=list)
    quota: List[QuotaLevelVerdict] = field(default_factory=list)
    gpu_requests: List[GpuRequest] = field(default_factory=list)
    pool: Optional[PlanPool] = None
    steps: List[PlanStep] = field(default_factory=list)
    variable_values: Dict[str, Any] = field(default_factory=dict, metadata={"row": False})
    hub_objects: List[Dict[str, Any]] = field(default_factory=list, metadata={"row": False})


@dataclass
class DeploymentEvent(Model):
    """One entry of a pool's or deployment's progress log (``seq`` is gapless per subject, from 1)."""

    seq: int = 0
    cursor: str = ""
    type: str = ""
    phase: str = ""
    step: Optional[str] = None
    step_index: Optional[int] = None
    step_count: Optional[int] = None
    percent: int = 0
    message: str = ""
    time: Optional[_dt.datetime] = None
    subject_kind: Optional[str] = None
    subject_id: Optional[str] = None
    subject_name: Optional[str] = None
    project_seq: Optional[int] = None
    id: Optional[str] = None
    details: Any = field(default=None, metadata={"row": False})

    def step_label(self) -> str:
        """``step 2/4`` while a step runs; empty before the first and on the event that ends a flow."""
        i, n = self.step_index, self.step_count
        return f"step {i + 1}/{n}" if i is not None and n and i < n else ""
