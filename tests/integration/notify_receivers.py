"""Real receivers on loopback: a webhook endpoint that checks signatures, an SMTP server."""

from __future__ import annotations

import json
import socketserver
import ssl
import threading
import time
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from xml.etree import ElementTree as ET

from aiosmtpd.controller import Controller

from commonground.notify.webhook import SIGNATURE_HEADER, verify
from tests.conftest import free_port


class WebhookReceiver:
    """Answers each POST with the next queued status (200 once the queue is empty)."""

    def __init__(self) -> None:
        self.secret = ""
        self.received: list[dict[str, Any]] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                receiver.received.append(
                    {
                        "body": json.loads(body),
                        "status": status,
                        "key": self.headers.get("Idempotency-Key"),
                        "valid": verify(receiver.secret, self.headers.get(SIGNATURE_HEADER, ""), body),
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "raw": body,
                    }
                )
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> WebhookReceiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


class TakListener:
    """A TAK server's CoT input on loopback: reads each connection to its end and parses every event in it."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.events: list[ET.Element] = []
        self.raw: list[bytes] = []
        self.connections = 0
        listener = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                chunks: list[bytes] = []
                while True:
                    try:
                        chunk = self.request.recv(65536)
                    except OSError:  # a TLS peer may close without its close_notify
                        break
                    if not chunk:
                        break
                    chunks.append(chunk)
                data = b"".join(chunks)
                listener.connections += 1
                listener.raw.append(data)
                for chunk in data.decode().split("</event>")[:-1]:
                    listener.events.append(ET.fromstring(chunk.strip() + "</event>"))

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

            def get_request(self) -> tuple[Any, Any]:
                conn, addr = super().get_request()
                return (tls.wrap_socket(conn, server_side=True) if tls else conn), addr

        self.server = Server(("127.0.0.1", 0), Handler)
        self.host, self.port = "127.0.0.1", int(self.server.server_address[1])
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def wait(self, count: int, timeout_s: float = 5.0) -> list[ET.Element]:
        """The events once at least ``count`` have arrived (a connection is read on its own thread)."""
        deadline = time.monotonic() + timeout_s
        while len(self.events) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return list(self.events)

    def __enter__(self) -> TakListener:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


class SmtpServer:
    def __init__(self) -> None:
        self.inbox = Inbox()
        self.port = free_port()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


def parts(message: Message) -> tuple[str, str]:
    """Return the plain-text and HTML bodies of a multipart/alternative message."""
    text = html = ""
    for part in message.walk():
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        if part.get_content_type() == "text/plain":
            text = payload.decode()
        elif part.get_content_type() == "text/html":
            html = payload.decode()
    return text, html
