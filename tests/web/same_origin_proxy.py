"""A tiny TCP-level reverse proxy for the tests: one origin for the page and Rasa's socket.io.

Each client connection is routed by the path of its first request (`/socket.io/...` to Rasa,
everything else to the page server) and then piped both ways, so WebSocket upgrades work too.
Good enough for a test (the page server closes every connection after one response)."""

from __future__ import annotations

import contextlib
import socket
import threading


class SameOriginProxy:
    def __init__(self, page: tuple[str, int], rasa: tuple[str, int], socket_path: str = "/socket.io/"):
        self.page = page
        self.rasa = rasa
        self.socket_path = socket_path.encode()
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.routed = {"page": 0, "rasa": 0}
        self._stopping = False
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> SameOriginProxy:
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping = True
        with contextlib.suppress(OSError):
            self.listener.close()

    def _accept(self) -> None:
        while not self._stopping:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(client,), daemon=True).start()

    def _handle(self, client: socket.socket) -> None:
        head = b""
        try:
            while b"\r\n" not in head and len(head) < 65536:
                chunk = client.recv(65536)
                if not chunk:
                    client.close()
                    return
                head += chunk
            parts = head.split(b"\r\n", 1)[0].split(b" ")
            path = parts[1] if len(parts) > 1 else b"/"
            name = "rasa" if path.startswith(self.socket_path) else "page"
            self.routed[name] += 1
            upstream = socket.create_connection(self.rasa if name == "rasa" else self.page, timeout=10)
            upstream.settimeout(None)
            upstream.sendall(head)
        except OSError:
            client.close()
            return
        threading.Thread(target=self._pipe, args=(upstream, client), daemon=True).start()
        self._pipe(client, upstream)

    @staticmethod
    def _pipe(source: socket.socket, target: socket.socket) -> None:
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                target.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, target):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()
