"""One graphql-ws (``graphql-transport-ws``) socket whose reader thread keeps it alive.

The gateway pings every 12 s and drops a socket that has not answered within 12 more.
websocket-client only answers a ping while someone is inside ``recv()``, so a consumer that does
something else for half a minute (a notebook cell, a slow loop body) would be cut off. Here a daemon
thread reads all the time: it answers pings at once, queues protocol messages for the consumer, and
notices a dead peer (nothing received for ``idle_timeout`` seconds although the gateway pings every
12 s). The consumer takes messages with :meth:`Connection.get`; when the socket ends, a
:class:`Closed` marker is queued after whatever arrived before it.
"""
from __future__ import annotations

import json
import queue
import threading
import time
from dataclasses import dataclass
from typing import Any, Dict, Optional, Union

import websocket  # websocket-client

from .errors import AuthenticationError, ConnectionFailed, ProtocolError

SUBPROTOCOL = "graphql-transport-ws"


@dataclass
class Closed:
    """The socket ended: close ``code`` and ``reason`` from the gateway, or ``error`` for a broken connection."""

    code: Optional[int] = None
    reason: str = ""
    error: Optional[str] = None

    @property
    def fatal(self) -> bool:
        """4400-4499 are the gateway refusing us (bad token, bad message): reconnecting will not help."""
        return self.code is not None and 4400 <= self.code < 4500 and self.code != 4408

    def describe(self) -> str:
        if self.error:
            return self.error
        return f"socket closed: {self.code} {self.reason}".strip()


Message = Union[Dict[str, Any], Closed]


def ws_url(http_url: str) -> str:
    """``http://host/graphql`` -> ``ws://host/graphql`` (``https`` -> ``wss``); ws URLs pass through."""
    if http_url.startswith("http"):
        return "ws" + http_url[len("http"):]
    return http_url


class Connection:
    """An acknowledged graphql-ws connection. Use :meth:`subscribe`, :meth:`get`, :meth:`close`."""

    def __init__(self, url: str, token: Optional[str], connect_timeout: float = 30.0, idle_timeout: float = 45.0) -> None:
        self.url = ws_url(url)
        self.idle_timeout = idle_timeout
        self.disconnected: Optional[Closed] = None  # set by the reader when the socket ends
        self._queue: "queue.Queue[Message]" = queue.Queue()  # unbounded: reading must never block on the consumer
        self._stopping = threading.Event()
        try:
            self._ws = websocket.create_connection(
                self.url, subprotocols=[SUBPROTOCOL], timeout=connect_timeout, enable_multithread=True
            )
        except (OSError, websocket.WebSocketException) as e:
            raise ConnectionFailed(f"cannot open {self.url}: {e}") from None
        try:
            self._handshake(token, connect_timeout)
        except BaseException:
            self._ws.shutdown()
            raise
        self._reader = threading.Thread(target=self._read_loop, name="spokegraph-ws-reader", daemon=True)
        self._reader.start()

    def _handshake(self, token: Optional[str], timeout: float) -> None:
        payload = {"authorization": f"Bearer {token}"} if token else {}
        self._send({"type": "connection_init", "payload": payload})
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                opcode, data = self._ws.recv_data()
            except (OSError, websocket.WebSocketException) as e:
                raise ConnectionFailed(f"{self.url}: no connection_ack ({e})") from None
            if opcode == websocket.ABNF.OPCODE_CLOSE:
                closed = _close_frame(data)
                if closed.code in (4401, 4403):
                    raise AuthenticationError([{"message": f"the gateway refused the token ({closed.code} {closed.reason})", "extensions": {"code": "UNAUTHENTICATED"}}])
                raise ConnectionFailed(f"{self.url}: {closed.describe()}")
            msg = json.loads(data)
            if msg.get("type") == "connection_ack":
                return
            if msg.get("type") == "ping":
                self._send({"type": "pong"})
                continue
            raise ProtocolError(f"expected connection_ack, got {msg.get('type')!r}")
        raise ConnectionFailed(f"{self.url}: no connection_ack within {timeout} s")

    # ---- reader thread -----------------------------------------------------------------------

    def _read_loop(self) -> None:
        closed: Optional[Closed] = None
        last = time.monotonic()
        try:
            self._ws.settimeout(min(5.0, self.idle_timeout))
            while not self._stopping.is_set():
                try:
                    # control_frame=True: pings come back too (websocket-client has already ponged),
                    # so they count as signs of life.
                    opcode, frame = self._ws.recv_data_frame(control_frame=True)
                except websocket.WebSocketTimeoutException:
                    if time.monotonic() - last > self.idle_timeout:
                        closed = Closed(error=f"no message or ping from the gateway for {self.idle_timeout:.0f} s")
                        break
                    continue
                last = time.monotonic()
                if opcode == websocket.ABNF.OPCODE_CLOSE:
                    closed = _close_frame(frame.data)
                    break
                if opcode != websocket.ABNF.OPCODE_TEXT:
                    continue
                msg = json.loads(frame.data)
                if msg.get("type") == "ping":
                    self._send({"type": "pong"})
                elif msg.get("type") != "pong":
                    self._queue.put(msg)
        except (OSError, ValueError, websocket.WebSocketException) as e:
            closed = Closed(error=f"connection lost: {e or type(e).__name__}")
        finally:
            if closed is None:
                closed = Closed(code=1000, reason="closed by the client")
            self.disconnected = closed
            self._queue.put(closed)

    # ---- consumer side -----------------------------------------------------------------------

    def _send(self, msg: Dict[str, Any]) -> None:
        self._ws.send(json.dumps(msg))

    def subscribe(self, op_id: str, query: str, variables: Optional[Dict[str, Any]] = None) -> None:
        try:
            self._send({"id": op_id, "type": "subscribe", "payload": {"query": query, "variables": variables or {}}})
        except (OSError, websocket.WebSocketException):
            pass  # the reader reports the broken socket through the queue

    def complete(self, op_id: str) -> None:
        try:
            self._send({"id": op_id, "type": "complete"})
        except (OSError, websocket.WebSocketException):
            pass

    def get(self, timeout: Optional[float] = None) -> Optional[Message]:
        """The next message, a :class:`Closed` marker once the socket ended, or None on timeout."""
        try:
            return self._queue.get(timeout=timeout)
        except queue.Empty:
            return None

    @property
    def open(self) -> bool:
        return self.disconnected is None

    def close(self) -> None:
        """Closes the socket (normal closure) and stops the reader thread."""
        self._stopping.set()
        try:
            if self.disconnected is None:
                self._ws.send_close()
        except (OSError, websocket.WebSocketException):
            pass
        try:
            self._ws.abort()  # wakes the reader out of recv()
        except OSError:
            pass
        self._reader.join(timeout=5)
        self._ws.shutdown()


def _close_frame(data: bytes) -> Closed:
    code = int.from_bytes(data[:2], "big") if len(data) >= 2 else 1005
    return Closed(code=code, reason=data[2:].decode("utf-8", errors="replace"))
