"""A loopback TCP proxy that can play a database outage: every connection through it is cut
and new ones are refused for a while, as when PostgreSQL restarts or the network drops."""

from __future__ import annotations

import socket
import threading
import time
from typing import Self


class OutageProxy:
    """Forward 127.0.0.1:<port> to ``target``; :meth:`outage` cuts everything for a while."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._down_until = 0.0
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._closed = False

    def __enter__(self) -> Self:
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._closed = True
        self._listener.close()
        self._cut()

    def outage(self, seconds: float) -> None:
        """Drop every connection now and refuse new ones for ``seconds``."""
        self._down_until = time.monotonic() + seconds
        self._cut()

    def _cut(self) -> None:
        with self._lock:
            conns, self._open = list(self._open), set()
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            conn.close()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                if self._closed:
                    return
                # A client that gave up while queued (ECONNABORTED): ending the loop here
                # left every later connection unanswered in the backlog, and a replica
                # waiting on one of them stuck for good.
                continue
            if time.monotonic() < self._down_until:
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                self._open |= {client, upstream}
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.close()
                except OSError:
                    pass
