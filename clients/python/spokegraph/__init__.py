"""spokegraph: a Python client for the spokegraph GraphQL gateway.

    from spokegraph import Client
    c = Client("http://127.0.0.1:4000/graphql", token)
    app = c.bundle("demo-ml", "llm-inference")
    d = c.deploy("demo-ml", "my-llm", [app], pool=c.pools("demo-ml", phase="RUNNING")[0])
    c.wait(d)                      # progress bar in Jupyter, text lines elsewhere
    for e in c.watch(d.id): ...    # or iterate the events yourself

Depends only on ``requests`` and ``websocket-client``.
"""
from .client import Client
from .errors import (
    AlreadyExists,
    AuthenticationError,
    BadRequest,
    Conflict,
    ConnectionFailed,
    DeploymentFailed,
    GraphQLRequestError,
    IdempotencyKeyReused,
    IllegalState,
    InsufficientCapacity,
    InUse,
    InvalidId,
    InvalidInput,
    InvalidName,
    LimitExceeded,
    NotFoundError,
    PermissionDenied,
    ProtocolError,
    QuotaExceeded,
    ServerError,
    SpokegraphError,
    SubscriptionLagging,
    UserInputError,
)
from .models import (
    AccessUrl,
    AppDeployment,
    ComputePool,
    DeploymentEvent,
    DeploymentPlan,
    Failure,
    GpuAllocation,
    GpuQuota,
    GpuRequest,
    PlanPool,
    PlanStep,
    ProfileBundle,
    ProgressStatus,
    Project,
    QuotaLevelVerdict,
    QuotaVerdict,
    Ref,
    UserError,
    VariableDefinition,
    WaitingOn,
)
from .progress import Progress, TextProgress
from .rows import ResultList
from .subscription import Subscription
from .watch import Watch

__version__ = "0.1.0"

__all__ = [name for name in dir() if not name.startswith("_")]
