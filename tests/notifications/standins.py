"""Real stand-in servers on 127.0.0.1: an Africa's Talking SMS API, an SMTP server, and a TCP proxy a test can cut."""

import contextlib
import json
import random
import socket
import threading
import time
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

API_KEY = "test-api-key"
USERNAME = "ordertrail"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmsApi:
    """Speaks `POST /version1/messaging` like Africa's Talking: `apiKey` header, form fields
    (username, to, message, from?), a JSON `SMSMessageData.Recipients` answer.

    Knobs: `fail_rate` (share of requests answered with an error, nothing delivered), `statuses`
    ({number: AT statusCode} for per-recipient answers), `hold` (an Event: a request that arrives records its
    delivery, then waits for it before answering), `stop()` / `start()` (connection refused in between),
    `answer_content_type` (the Content-Type of the 201 answer, its body JSON whatever it says) and
    `answer_empty` (delivers, then answers 201 with an empty body), `latency` (seconds every request waits
    before it is handled: the round trip to the real API). Connections are kept alive as the real API keeps
    them (`connections` counts those opened); `stop()` drops the open ones, as a provider going away does.
    """

    def __init__(self, *, fail_rate: float = 0.0, seed: int | None = None, latency: float = 0.0):
        self.fail_rate = fail_rate
        self.latency = latency
        self.statuses: dict[str, int] = {}
        self.hold: threading.Event | None = None
        self.answer_content_type = "application/json"
        self.answer_empty = False
        self.held = threading.Event()
        self.random = random.Random(seed)
        self.lock = threading.Lock()
        self.delivered: list[dict] = []  # one entry per number accepted
        self.requests = 0
        self.failures = 0
        self.connections = 0
        self._open: set[socket.socket] = set()
        self.port = free_port()
        self._server = None
        self.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes; with Nagle's algorithm the second waits for the client's
            # delayed ACK (40 ms) on a kept-alive connection. Real HTTP servers turn it off too.
            disable_nagle_algorithm = True

            def log_message(self, *args):
                pass

            def setup(self):
                super().setup()
                with api.lock:
                    api.connections += 1
                    api._open.add(self.connection)

            def finish(self):
                with api.lock:
                    api._open.discard(self.connection)
                super().finish()

            def _answer(self, status: int, body, content_type="application/json"):
                raw = (body if isinstance(body, str) else json.dumps(body)).encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                if api.latency:
                    time.sleep(api.latency)
                with api.lock:
                    api.requests += 1
                if self.path != "/version1/messaging":
                    return self._answer(404, "Not found", "text/plain")
                if self.headers.get("apiKey") != API_KEY or form.get("username") != USERNAME:
                    return self._answer(401, "The supplied authentication is invalid", "text/plain")
                with api.lock:
                    failing = api.random.random() < api.fail_rate
                    if failing:
                        api.failures += 1
                if failing:
                    return self._answer(500, "Internal Server Error", "text/plain")
                recipients = []
                for number in form.get("to", "").split(","):
                    code = api.statuses.get(number, 101)
                    entry = {"statusCode": code, "number": number, "status": "Success", "cost": "KES 0.8000"}
                    if code in (100, 101, 102):
                        entry["messageId"] = f"ATXid_{number[-4:]}_{time.monotonic_ns()}"
                        with api.lock:
                            api.delivered.append(
                                {
                                    "number": number,
                                    "message": form.get("message", ""),
                                    "from": form.get("from"),
                                    "message_id": entry["messageId"],
                                }
                            )
                    else:
                        entry.update(
                            status="InvalidPhoneNumber" if code == 403 else "Failed",
                            cost="0",
                            messageId="None",
                        )
                    recipients.append(entry)
                if api.hold is not None:
                    api.held.set()
                    api.hold.wait(60)
                sent = sum(1 for r in recipients if r["statusCode"] in (100, 101, 102))
                body = {
                    "SMSMessageData": {
                        "Message": f"Sent to {sent}/{len(recipients)} Total Cost: KES 0.8000",
                        "Recipients": recipients,
                    }
                }
                self._answer(201, "" if api.answer_empty else body, api.answer_content_type)

        class Server(ThreadingHTTPServer):
            request_queue_size = 128  # socketserver's 5 resets connections when many workers send at once

        self._server = Server(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
            with self.lock:
                for sock in self._open:
                    with contextlib.suppress(OSError):
                        sock.shutdown(socket.SHUT_RDWR)
                self._open.clear()

    def messages_to(self, number: str) -> list[str]:
        with self.lock:
            return [d["message"] for d in self.delivered if d["number"] == number]

    def message_ids_to(self, number: str) -> list[str]:
        with self.lock:
            return [d["message_id"] for d in self.delivered if d["number"] == number]

    def counts(self) -> dict[str, int]:
        with self.lock:
            counts: dict[str, int] = {}
            for d in self.delivered:
                counts[d["number"]] = counts.get(d["number"], 0) + 1
            return counts


class SmtpServer:
    """aiosmtpd on loopback, keeping every message it receives."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.messages = []
        self.lock = threading.Lock()
        server = self

        class Handler:
            async def handle_DATA(self, smtp, session, envelope):
                with server.lock:
                    server.messages.append(
                        {
                            "to": list(envelope.rcpt_tos),
                            "message": message_from_bytes(
                                envelope.original_content or envelope.content, policy=policy.default
                            ),
                        }
                    )
                return "250 Message accepted for delivery"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def to(self, address: str) -> list:
        with self.lock:
            return [m["message"] for m in self.messages if address in m["to"]]

    def stop(self):
        self.controller.stop()


class TcpProxy:
    """Forwards a loopback port to `target` (PostgreSQL, say). `cut()` plays the server going away: new
    connections are refused and open ones dropped; `restore()` listens on the same port again."""

    def __init__(self, target_host: str, target_port: int):
        self.target = (target_host, target_port)
        self.port = free_port()
        self.lock = threading.Lock()
        self.pairs: list[tuple[socket.socket, socket.socket]] = []
        self.listener: socket.socket | None = None
        self.restore()

    def restore(self):
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        listener.settimeout(0.1)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket):
        while self.listener is listener:
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            client.settimeout(None)
            upstream.settimeout(None)
            with self.lock:
                self.pairs.append((client, upstream))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def cut(self):
        listener, self.listener = self.listener, None
        if listener is not None:
            listener.close()
        with self.lock:
            pairs, self.pairs = self.pairs, []
        for pair in pairs:
            for sock in pair:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()

    stop = cut
