"""The console's static files: gzip on the wire, and cache headers so a second visit sends nothing.

The map page's boundaries (us-atlas) are most of its weight and compress about fourfold (the page
as a whole 3.3-fold). Each file is compressed once, whole, at level 9, and kept (about 350 KB for
all of them); compressing per streamed chunk costs more bytes. Files carry an ETag and
Last-Modified, so after ``max-age`` a browser revalidates with a 304 instead of downloading again."""

from __future__ import annotations

import gzip
import os
import threading
from pathlib import Path
from typing import Any

from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

OWN_MAX_AGE = 3600  # the console's own scripts and styles: an hour, then revalidate
VENDOR_MAX_AGE = 7 * 86400  # leaflet, topojson, us-atlas: a week (they change only with a release)
GZIP_MIN_BYTES = 1024
COMPRESSIBLE = (".js", ".css", ".json", ".svg", ".html", ".txt")


class CachedStatic(StaticFiles):
    """Starlette's static files with cache headers and whole-file gzip for clients that accept it."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._gz: dict[tuple[str, float], bytes] = {}
        self._lock = threading.Lock()

    def file_response(
        self, full_path: Any, stat_result: os.stat_result, scope: Scope, status_code: int = 200
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        path = str(full_path)
        response.headers["cache-control"] = f"public, max-age={VENDOR_MAX_AGE if '/vendor/' in path else OWN_MAX_AGE}"
        if response.status_code != 200 or not self._compressible(path, stat_result):
            return response
        response.headers["vary"] = "Accept-Encoding"
        if "gzip" not in Headers(scope=scope).get("accept-encoding", ""):
            return response
        body = self._compressed(path, stat_result)
        headers = {k: v for k, v in response.headers.items() if k not in ("content-length",)}
        headers["content-encoding"] = "gzip"
        return Response(body, status_code=200, headers=headers, media_type=response.media_type)

    @staticmethod
    def _compressible(path: str, stat_result: os.stat_result) -> bool:
        return path.endswith(COMPRESSIBLE) and stat_result.st_size >= GZIP_MIN_BYTES

    def _compressed(self, path: str, stat_result: os.stat_result) -> bytes:
        key = (path, stat_result.st_mtime)
        with self._lock:
            found = self._gz.get(key)
        if found is None:
            found = gzip.compress(Path(path).read_bytes(), compresslevel=9, mtime=0)
            with self._lock:
                self._gz[key] = found
        return found


def static_app(directory: str) -> CachedStatic:
    """The console's static files, as mounted at ``/static``."""
    return CachedStatic(directory=directory)
