"""Raw GraphQL subscriptions: any subscription document, results as plain ``data`` dicts."""
from __future__ import annotations

import time
from typing import Any, Dict, Iterator, Optional

from .errors import ConnectionFailed, ProtocolError, request_error
from .ws import Closed, Connection

OP_ID = "1"


class Subscription(Iterator[Dict[str, Any]]):
    """Iterator of the ``data`` of each result of one subscription, on its own socket.

    The socket is answered and kept alive by a reader thread whether you read or not (results are
    buffered). Top-level errors are raised as typed exceptions; the iterator ends when the gateway
    completes the subscription. It does not reconnect by itself (it cannot know how to resume an
    arbitrary subscription): a lost connection raises :class:`~spokegraph.errors.ConnectionFailed`.
    For event streams that resume by cursor, use :meth:`spokegraph.Client.watch`.
    """

    def __init__(self, url: str, token: Optional[str], query: str, variables: Optional[Dict[str, Any]] = None,
                 connect_timeout: float = 30.0, idle_timeout: float = 45.0) -> None:
        self._conn: Optional[Connection] = Connection(url, token, connect_timeout=connect_timeout, idle_timeout=idle_timeout)
        self._conn.subscribe(OP_ID, query, variables)

    def __iter__(self) -> "Subscription":
        return self

    def __next__(self) -> Dict[str, Any]:
        result = self._take(None)
        assert result is not None
        return result

    def next(self, timeout: Optional[float] = None) -> Optional[Dict[str, Any]]:
        """Like ``next(sub)``, but returns None if no result came within ``timeout`` seconds."""
        return self._take(timeout)

    def _take(self, timeout: Optional[float]) -> Optional[Dict[str, Any]]:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            if self._conn is None:
                raise StopIteration
            wait = 1.0 if deadline is None else max(0.0, min(1.0, deadline - time.monotonic()))
            msg = self._conn.get(timeout=wait)
            if msg is None:
                if deadline is not None and time.monotonic() >= deadline:
                    return None
                continue
            if isinstance(msg, Closed):
                self.close()
                raise ConnectionFailed(f"subscription lost: {msg.describe()}")
            kind = msg.get("type")
            if kind == "next":
                payload = msg.get("payload") or {}
                if payload.get("errors"):
                    self.close()
                    raise request_error(payload["errors"])
                return payload.get("data") or {}
            if kind == "error":
                self.close()
                raise request_error(msg.get("payload") or [])
            if kind == "complete":
                self.close()
                raise StopIteration
            raise ProtocolError(f"unexpected graphql-ws message {kind!r}")

    @property
    def connected(self) -> bool:
        """Whether the socket is still open (the reader thread notices a drop at once)."""
        return self._conn is not None and self._conn.open

    def close(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            conn.complete(OP_ID)
            conn.close()

    def __enter__(self) -> "Subscription":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
