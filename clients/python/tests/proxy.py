"""A TCP proxy in front of the gateway that can break the first WebSocket connection mid-stream:
after forwarding `cut_after` bytes from the gateway to the client it closes both sides, as a network
drop would. HTTP requests and later WebSocket connections pass through untouched."""
from __future__ import annotations

import socket
import threading
from typing import List, Optional, Tuple
from urllib.parse import urlsplit


class CuttingProxy:
    def __init__(self, upstream_url: str, cut_after: int) -> None:
        parts = urlsplit(upstream_url)
        self.upstream: Tuple[str, int] = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.path = parts.path
        self.cut_after = cut_after
        self.cuts = 0
        self.websockets = 0
        self._lock = threading.Lock()
        self._sockets: List[socket.socket] = []
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}{self.path}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.upstream)
            with self._lock:
                self._sockets += [client, upstream]
            threading.Thread(target=self._serve, args=(client, upstream), daemon=True).start()

    def _serve(self, client: socket.socket, upstream: socket.socket) -> None:
        first = client.recv(65536)
        if not first:
            self._close(client, upstream)
            return
        cut: Optional[int] = None
        if b"upgrade: websocket" in first.lower():
            with self._lock:
                self.websockets += 1
                if self.websockets == 1:
                    cut = self.cut_after
        upstream.sendall(first)
        threading.Thread(target=self._pump, args=(client, upstream, None), daemon=True).start()
        self._pump(upstream, client, cut)

    def _pump(self, src: socket.socket, dst: socket.socket, cut: Optional[int]) -> None:
        sent = 0
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if cut is not None and sent + len(data) >= cut:
                    dst.sendall(data[: cut - sent])
                    with self._lock:
                        self.cuts += 1
                    break
                dst.sendall(data)
                sent += len(data)
        except OSError:
            pass
        self._close(src, dst)

    @staticmethod
    def _close(*socks: socket.socket) -> None:
        for s in socks:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def stop(self) -> None:
        self._server.close()
        with self._lock:
            self._close(*self._sockets)
