"""Real services a test can break: its own redis-server, a Redis that hangs, a cuttable path to PostgreSQL."""

import contextlib
import os
import shutil
import signal
import socket
import struct
import subprocess
import threading
import time

import pytest
import redis

from tests import services
from tests.notifications.standins import free_port


def redis_server_binary() -> str:
    binary = shutil.which("redis-server")
    if binary is None:
        if services.REQUIRE_SERVICES:
            pytest.fail("REQUIRE_SERVICES=1: redis-server is not installed")
        pytest.skip("needs the redis-server binary")
    return binary


class RedisServer:
    """A redis-server of the test's own on a free port: `kill()` is a crash, `start()` brings it back there."""

    def __init__(self):
        self.binary = redis_server_binary()
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> "RedisServer":
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_timeout=1)
        deadline = time.monotonic() + 20
        while True:
            try:
                client.ping()
                return self
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stored_keys(self) -> list[bytes]:
        return redis.Redis.from_url(self.url, socket_timeout=1).keys("*")

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)


class HungServer:
    """Accepts TCP connections and never answers: a Redis stuck in a long command, or a frozen host."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.accepted: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def _accept(self):
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:  # closed
                return
            self.accepted.append(conn)  # held open, never read from or written to

    def close(self):
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() thread
        self.listener.close()
        for conn in self.accepted:
            conn.close()


class TcpProxy:
    """127.0.0.1:<port> forwarded to PostgreSQL, so a test can take "the database" away from a server
    without touching the shared PostgreSQL.

    `cut()`: every open connection is dropped and new ones are refused (the server is down or restarting).
    `restore()`: connections are accepted again. `cut_when(marker)`: cut as soon as a client sends bytes
    containing `marker` (e.g. an INSERT), so the outage lands in the middle of a request's transaction.
    `full = True`: new connections are answered the way a server at max_connections answers them.
    """

    def __init__(self, *, target_host: str, target_port: int):
        self.target = (target_host, target_port)
        self.port = free_port()
        self.trigger: bytes | None = None
        self.full = False
        self.listener: socket.socket | None = None
        self._lock = threading.Lock()
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self.restore()

    def restore(self) -> None:
        with self._lock:
            self.listener = socket.create_server(("127.0.0.1", self.port))
            threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def cut_when(self, marker: bytes) -> None:
        self.trigger = marker

    def cut(self) -> None:
        with self._lock:
            self.trigger = None
            if self.listener is not None:
                # shutdown() wakes the thread blocked in accept(); close() alone leaves it accepting (Linux).
                with contextlib.suppress(OSError):
                    self.listener.shutdown(socket.SHUT_RDWR)
                self.listener.close()
                self.listener = None
            for client, upstream in self._pairs:
                for sock in (client, upstream):
                    with contextlib.suppress(OSError):
                        sock.shutdown(socket.SHUT_RDWR)
                    sock.close()
            self._pairs.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:  # cut
                return
            if self.full:
                with client, contextlib.suppress(OSError):
                    _refuse_too_many_clients(client)
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                self._pairs.append((client, upstream))
            threading.Thread(target=self._pump, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, False), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, from_client: bool) -> None:
        while True:
            try:
                data = source.recv(65536)
            except OSError:
                return
            if not data:
                for sock in (source, sink):
                    with contextlib.suppress(OSError):
                        sock.shutdown(socket.SHUT_RDWR)
                return
            if from_client and self.trigger is not None and self.trigger in data:
                self.cut()
                return
            try:
                sink.sendall(data)
            except OSError:
                return


def _refuse_too_many_clients(client: socket.socket) -> None:
    """Read the client's startup packet, answer FATAL 53300 as PostgreSQL does when it has no slot left."""
    while True:
        length, code = struct.unpack("!II", _recv_exactly(client, 8))
        _recv_exactly(client, length - 8)
        if code in (80877103, 80877104):  # SSLRequest / GSSENCRequest: "no", then the startup packet follows
            client.sendall(b"N")
            continue
        fields = b"SFATAL\0VFATAL\0C53300\0Msorry, too many clients already\0\0"
        client.sendall(b"E" + struct.pack("!I", len(fields) + 4) + fields)
        return


def _recv_exactly(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise OSError("closed")
        data += chunk
    return data


def kill_group(process: subprocess.Popen) -> None:
    """Stop a server started with `start_new_session=True`, children included."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)
