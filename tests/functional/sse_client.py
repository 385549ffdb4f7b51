"""A real SSE client for tests: httpx streaming in a thread, events into a queue."""

from __future__ import annotations

import json
import queue
import threading
import time
from dataclasses import dataclass
from typing import Any

import httpx


@dataclass
class SseEvent:
    id: int
    event: str
    data: dict[str, Any]
    received: float


class SseClient:
    def __init__(self, url: str, token: str, last_event_id: int | None = None) -> None:
        self.url, self.token, self.last_event_id = url, token, last_event_id
        self.events: queue.Queue[SseEvent] = queue.Queue()
        self.connected = threading.Event()
        self._stop = threading.Event()
        self.status: int | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> SseClient:
        self._thread.start()
        assert self.connected.wait(10), "stream did not connect"
        return self

    def __exit__(self, *exc: object) -> None:
        # A blocked read ends when the server closes the stream (at shutdown) or data comes;
        # the daemon thread is not waited for longer than that.
        self._stop.set()
        self._thread.join(timeout=0.2)

    def _run(self) -> None:
        try:
            self._read()
        except httpx.HTTPError:
            pass
        finally:
            self.connected.set()

    def _read(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "text/event-stream"}
        if self.last_event_id is not None:
            headers["Last-Event-ID"] = str(self.last_event_id)
        with (
            httpx.Client(timeout=httpx.Timeout(10, read=None)) as client,
            client.stream("GET", f"{self.url}/api/v1/stream", headers=headers) as response,
        ):
            self.status = response.status_code
            self.connected.set()
            fields: dict[str, str] = {}
            for line in response.iter_lines():
                if self._stop.is_set():
                    return
                if line == "":
                    if "data" in fields:
                        self.events.put(
                            SseEvent(
                                int(fields.get("id", "0")),
                                fields.get("event", "message"),
                                json.loads(fields["data"]),
                                time.monotonic(),
                            )
                        )
                    fields = {}
                elif not line.startswith(":") and ":" in line:
                    key, _, value = line.partition(":")
                    fields[key] = value.lstrip(" ")

    def next(self, timeout: float = 10.0) -> SseEvent:
        return self.events.get(timeout=timeout)

    def drain(self, wait: float = 0.5) -> list[SseEvent]:
        out = []
        deadline = time.monotonic() + wait
        while True:
            try:
                out.append(self.events.get(timeout=max(0.0, deadline - time.monotonic())))
            except queue.Empty:
                return out
