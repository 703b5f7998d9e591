"""A real HTTP server on 127.0.0.1 (allow-listed) that records what it receives and answers as told."""
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.factories import UserFactory
from webhooks.models import AllowedNetwork


class Receiver:
    def __init__(self):
        self.requests: list[dict] = []
        self.status = 200
        self.headers: dict = {}
        self.delay = 0.0
        self.url = ""


@pytest.fixture
def receiver():
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            state.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
            time.sleep(state.delay)
            self.send_response(state.status)
            for name, value in state.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def allow_loopback(db):
    return AllowedNetwork.objects.create(network="127.0.0.0/8", reason="tests")


@pytest.fixture
def admin(db):
    return UserFactory(role="administrator", username="webhook_admin")
