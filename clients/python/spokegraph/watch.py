"""Following a deployment's (or pool's) events until it settles, across disconnects.

A :class:`Watch` is an iterator of :class:`~spokegraph.models.DeploymentEvent`. It subscribes over
graphql-ws (``appDeploymentEvents`` / ``computePoolEvents``), which replays the events after a cursor
from the database and then streams live ones, gapless and in order. When the socket drops, or the
gateway cuts a stream that fell behind (``SUBSCRIPTION_LAGGING``), it reconnects and subscribes again
with ``after`` = the cursor of the last event it received, so you see every event exactly once.

It ends after the event that puts the subject in a settled phase: RUNNING, FAILED or DELETED (while
DELETING: DELETED or FAILED). Only events newer than the ones that existed when the watch started
can end it, so watching a deployment that was retried does not stop at its earlier FAILED.
"""
from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Dict, FrozenSet, Iterable, Iterator, List, Optional

from . import queries
from .errors import ConnectionFailed, NotFoundError, ProtocolError, SubscriptionLagging, request_error
from .models import DeploymentEvent
from .ws import Closed, Connection

if TYPE_CHECKING:  # pragma: no cover
    from .client import Client

OP_ID = "1"


def terminal_phases(current_phase: str) -> FrozenSet[str]:
    """Phases that end a watch of a subject that is in ``current_phase`` now."""
    if current_phase == "DELETING":
        return frozenset({"DELETED", "FAILED"})
    return frozenset({"RUNNING", "FAILED", "DELETED"})


class Watch(Iterator[DeploymentEvent]):
    """Iterator of a subject's events until it settles; see the module docstring.

    Attributes:
        subject_id: the deployment's (or pool's) global id.
        kind: ``"AppDeployment"`` or ``"ComputePool"``.
        name: its name.
        phase: the phase of the last event received (the phase at start before that).
        last: the last event received, or None.
        reconnects: how many times the watch subscribed again after losing its stream.
        disconnects: how many sockets ended before the watch was done (counted when they end,
            even if the events queued before the end are not read yet).
        duplicates: events received again after a resume and skipped (0 when resuming works).
        subscriptions: the ``after`` cursor of every subscribe sent, in order (None = from the start).
    """

    def __init__(
        self,
        client: "Client",
        subject_id: str,
        after: Optional[str] = None,
        until: Optional[Iterable[str]] = None,
        max_reconnects: int = 10,
        reconnect_delay: float = 0.5,
        idle_timeout: float = 45.0,
    ) -> None:
        self._client = client
        self.subject_id = subject_id
        self.max_reconnects = max_reconnects
        self.reconnect_delay = reconnect_delay
        self.idle_timeout = idle_timeout
        self.reconnects = 0
        self.duplicates = 0
        self.subscriptions: List[Optional[str]] = []
        self.last: Optional[DeploymentEvent] = None
        self._after = after
        self._conn: Optional[Connection] = None
        self._closed_sockets = 0
        self._done = False

        node = client.query(queries.WATCH_START, {"id": subject_id})["node"]
        if node is None or node.get("__typename") not in queries.SUBSCRIPTIONS:
            raise NotFoundError([_not_found(subject_id)])
        self.kind: str = node["__typename"]
        self.name: str = node["name"]
        self.phase: str = node.get("deploymentPhase") or node["poolPhase"]
        self._start_seq: int = node["events"]["totalCount"]
        self.until: FrozenSet[str] = frozenset(until) if until is not None else terminal_phases(self.phase)
        self._query = queries.SUBSCRIPTIONS[self.kind]
        self._field = queries.SUBSCRIPTION_FIELDS[self.kind]
        self._connect()  # events are received (and buffered) from now on, read or not

    # ---- iteration ---------------------------------------------------------------------------

    def __iter__(self) -> "Watch":
        return self

    def __next__(self) -> DeploymentEvent:
        if self._done:
            raise StopIteration
        failures = 0  # consecutive reconnects without a new event
        while True:
            if self._conn is None:
                self._connect()
            assert self._conn is not None
            msg = self._conn.get(timeout=1.0)
            if msg is None:
                continue
            if isinstance(msg, Closed):
                self._drop_connection()
                if msg.fatal:
                    self._finish()
                    raise ConnectionFailed(f"the gateway refused the event stream: {msg.describe()}")
                failures += 1
                self._backoff(failures, msg.describe())
                continue
            event = self._handle(msg)
            if event is None:
                failures += 1
                self._backoff(failures, "stream cut")
                continue
            if self.last is not None and event.seq <= self.last.seq:
                self.duplicates += 1  # the gateway never sends these; never yield an event twice anyway
                continue
            self.last = event
            self._after = event.cursor
            self.phase = event.phase
            if event.seq >= self._start_seq and event.phase in self.until:
                self._finish()
            return event

    def _handle(self, msg: Dict[str, Any]) -> Optional[DeploymentEvent]:
        """An event from a protocol message; None when the stream must be resumed; raises on refusal."""
        kind = msg.get("type")
        if kind == "next":
            payload = msg.get("payload") or {}
            errors = payload.get("errors")
            if errors:
                error = request_error(errors)
                if isinstance(error, SubscriptionLagging):
                    return None
                self._finish()
                raise error
            data = (payload.get("data") or {}).get(self._field)
            if not isinstance(data, dict):
                raise ProtocolError(f"{self._field}: event without data")
            return DeploymentEvent.from_dict(data)
        if kind == "error":
            error = request_error(msg.get("payload") or [])
            if isinstance(error, SubscriptionLagging):
                return None
            self._finish()
            raise error
        if kind == "complete":
            return None  # the gateway ended the stream (e.g. shutting down): resume elsewhere
        raise ProtocolError(f"unexpected graphql-ws message {kind!r}")

    # ---- connection management ---------------------------------------------------------------

    def _connect(self) -> None:
        self._conn = Connection(self._client.url, self._client.token, connect_timeout=self._client.timeout, idle_timeout=self.idle_timeout)
        self.subscriptions.append(self._after)
        self._conn.subscribe(OP_ID, self._query, {"id": self.subject_id, "after": self._after})

    def _drop_connection(self) -> None:
        if self._conn is not None:
            if self._conn.disconnected is not None and self._conn.disconnected.code != 1000:
                self._closed_sockets += 1
            self._conn.close()
            self._conn = None

    def _backoff(self, failures: int, why: str) -> None:
        self._drop_connection()
        if failures > self.max_reconnects:
            self._finish()
            raise ConnectionFailed(f"{self.kind} {self.name}: event stream lost {failures} times in a row ({why})")
        self.reconnects += 1
        time.sleep(min(self.reconnect_delay * (2 ** (failures - 1)), 10.0))

    def _finish(self) -> None:
        self._done = True
        if self._conn is not None:
            self._conn.complete(OP_ID)
            self._conn.close()
            self._conn = None

    @property
    def disconnects(self) -> int:
        """Sockets that ended before the watch was done, counted the moment they ended."""
        live = self._conn is not None and self._conn.disconnected is not None
        return self._closed_sockets + (1 if live else 0)

    @property
    def connected(self) -> bool:
        """Whether the current socket is open (False before the first event is asked for and after the end)."""
        return self._conn is not None and self._conn.open

    @property
    def done(self) -> bool:
        return self._done

    def close(self) -> None:
        """Stops watching (completes the subscription and closes the socket)."""
        self._finish()

    def __enter__(self) -> "Watch":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:  # pragma: no cover - best effort for abandoned iterators
        try:
            self.close()
        except Exception:
            pass


def _not_found(subject_id: str):
    from .models import UserError

    return UserError(field=["id"], message=f"no deployment or pool with id {subject_id!r} is visible to this token", code="NOT_FOUND")
