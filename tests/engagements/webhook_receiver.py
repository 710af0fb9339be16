"""A tiny HTTP(S) server on 127.0.0.1, in a thread, that records what webhooks send it and answers with the
status codes a test queues (200 once the queue is empty)."""

import http.server
import ssl
import subprocess
import threading
from dataclasses import dataclass, field

import pytest


@dataclass
class Received:
    headers: dict
    body: bytes
    path: str


@dataclass
class Receiver:
    port: int = 0
    scheme: str = "http"
    host: str = "127.0.0.1"
    requests: list = field(default_factory=list)
    answers: list = field(default_factory=list)
    always: int | None = None

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}/hooks/bpo"

    def answer(self) -> int:
        if self.always is not None:
            return self.always
        return self.answers.pop(0) if self.answers else 200


def _handler(receiver: Receiver):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the http.server API
            length = int(self.headers.get("Content-Length") or 0)
            receiver.requests.append(Received(dict(self.headers), self.rfile.read(length), self.path))
            self.send_response(receiver.answer())
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    return Handler


def serve(receiver: Receiver, context: ssl.SSLContext | None = None):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    if context is not None:
        server.socket = context.wrap_socket(server.socket, server_side=True)
    receiver.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


@pytest.fixture
def receiver():
    receiver = Receiver()
    server, thread = serve(receiver)
    yield receiver
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.fixture
def tls_receiver(tmp_path):
    """HTTPS with a self-signed certificate for `localhost`, made for the test with openssl."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    receiver = Receiver(scheme="https", host="localhost")
    server, thread = serve(receiver, context)
    receiver.ca_bundle = str(cert)
    yield receiver
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)
