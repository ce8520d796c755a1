"""A TCP proxy between the product and PostgreSQL that a test can break on purpose.

Threaded sockets, one thread per direction of each link. The faults, applied to the links
open at that moment (and, for a stall, to new ones too until `heal`):

- ``stall``: nothing is forwarded any more, every socket stays open (a black-holed network);
  bytes wait in the kernel's buffers and flow again after `heal`.
- ``reset``: both sides get a TCP RST.
- ``half_open``: the client gets a RST, while the server's side is kept open and silent, so
  the server still believes its session is alive (what a lost NAT entry or a crashed
  middlebox leaves behind). Kept until the proxy is closed. (The other way round, the
  server's side abandoned while the client is kept waiting, is what ``stall`` does.)
"""

from __future__ import annotations

import contextlib
import select
import socket
import struct
import threading
from urllib.parse import urlsplit, urlunsplit

from psycopg.conninfo import make_conninfo


def _rst(sock: socket.socket) -> None:
    """Close with SO_LINGER 0: the peer gets a RST instead of a FIN."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


class _Link:
    """One proxied connection: the product's socket and the server's."""

    def __init__(self, proxy: FaultProxy, client: socket.socket) -> None:
        self.proxy = proxy
        self.client = client
        self.server: socket.socket | None = None
        self.dead = threading.Event()  # the pumps stop touching the sockets

    def start(self) -> None:
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        if not self.proxy.wait_flowing(self.dead):
            return
        try:
            self.server = socket.create_connection(self.proxy.upstream, timeout=5)
        except OSError:
            self.dead.set()
            _rst(self.client)
            return
        threading.Thread(target=self._pump, args=(self.client, self.server), daemon=True).start()
        self._pump(self.server, self.client)

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        while not self.dead.is_set():
            if not self.proxy.wait_flowing(self.dead):
                return
            try:
                readable, _, _ = select.select([source], [], [], 0.1)
                if not readable or self.dead.is_set() or not self.proxy.flowing():
                    continue
                data = source.recv(65536)
                if not data:
                    self.close()
                    return
                target.sendall(data)
            except (OSError, ValueError):
                self.close()
                return

    def close(self) -> None:
        if not self.dead.is_set():
            self.dead.set()
            self.client.close()
            if self.server is not None:
                self.server.close()

    def reset(self) -> None:
        self.dead.set()
        _rst(self.client)
        if self.server is not None:
            _rst(self.server)

    def half_open(self) -> socket.socket | None:
        """RST the client; hand back the server's socket, to keep open and silent."""
        self.dead.set()
        _rst(self.client)
        return self.server


class FaultProxy:
    """Listens on 127.0.0.1 (any free port) and forwards to ``upstream``."""

    def __init__(self, upstream: tuple[str, int] = ("127.0.0.1", 5432)) -> None:
        self.upstream = upstream
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._listener.getsockname()[1])
        self._links: list[_Link] = []
        self._orphans: list[socket.socket] = []
        self._flowing = threading.Event()
        self._flowing.set()
        self._closed = threading.Event()
        self._guard = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def dsn(self, dsn: str) -> str:
        """``dsn`` pointed at this proxy instead of the server."""
        return make_conninfo(dsn, host="127.0.0.1", hostaddr="127.0.0.1", port=str(self.port))

    def url(self, url: str) -> str:
        """A ``postgresql://`` URL pointed at this proxy (the configuration wants URLs)."""
        parts = urlsplit(url)
        user = parts.netloc.rpartition("@")[0]
        netloc = f"{user}@127.0.0.1:{self.port}" if user else f"127.0.0.1:{self.port}"
        return urlunsplit(parts._replace(netloc=netloc))

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            link = _Link(self, client)
            with self._guard:
                self._links = [known for known in self._links if not known.dead.is_set()]
                self._links.append(link)
            link.start()

    def flowing(self) -> bool:
        return self._flowing.is_set()

    def wait_flowing(self, dead: threading.Event) -> bool:
        """Block while stalled; ``False`` when the link died or the proxy closed meanwhile."""
        while not self._flowing.wait(0.1):
            if dead.is_set() or self._closed.is_set():
                return False
        return not dead.is_set()

    def _take_links(self) -> list[_Link]:
        with self._guard:
            links, self._links = self._links, []
        return links

    def stall(self) -> None:
        self._flowing.clear()

    def heal(self) -> None:
        self._flowing.set()

    def reset(self) -> None:
        for link in self._take_links():
            link.reset()

    def half_open(self) -> None:
        for link in self._take_links():
            server = link.half_open()
            if server is not None:
                self._orphans.append(server)

    def close(self) -> None:
        self._closed.set()
        self._flowing.set()
        self._listener.close()
        for link in self._take_links():
            link.reset()
        for orphan in self._orphans:
            _rst(orphan)
