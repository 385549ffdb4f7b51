"""Static files go out gzipped with cache headers; the map page's transfer size, before and after.

Run with ``-s`` to print the figures (docs/operations.md quotes them)."""

from __future__ import annotations

import httpx

from tests.conftest import LiveServer

MAP_PAGE = (  # what the console's map pages load: the libraries, the console's own files, the boundaries
    "/static/vendor/leaflet/leaflet.js",
    "/static/vendor/leaflet/leaflet.css",
    "/static/vendor/topojson-client/topojson-client.min.js",
    "/static/vendor/us-atlas/counties-10m.json",
    "/static/vendor/us-atlas/states-10m.json",
    "/static/console.js",
    "/static/console.css",
    "/static/watch.js",
    "/static/operations.js",
)


def transferred(client: httpx.Client, encoding: str) -> int:
    total = 0
    for path in MAP_PAGE:
        with client.stream("GET", path, headers={"Accept-Encoding": encoding}) as r:
            assert r.status_code == 200, path
            total += sum(len(chunk) for chunk in r.iter_raw())
    return total


def test_static_files_are_gzipped_cached_and_the_map_page_shrinks(live: LiveServer) -> None:
    with httpx.Client(base_url=live.url, timeout=10) as client:
        atlas = client.get("/static/vendor/us-atlas/counties-10m.json", headers={"Accept-Encoding": "gzip"})
        assert atlas.headers["content-encoding"] == "gzip" and "accept-encoding" in atlas.headers["vary"].lower()
        assert atlas.headers["cache-control"] == "public, max-age=604800" and atlas.headers["etag"]
        own = client.get("/static/console.js")
        assert own.headers["cache-control"] == "public, max-age=3600"
        again = client.get("/static/console.js", headers={"If-None-Match": own.headers["etag"]})
        assert again.status_code == 304 and again.content == b""
        plain = client.get("/static/console.css", headers={"Accept-Encoding": "identity"})
        assert "content-encoding" not in plain.headers
        before, after = transferred(client, "identity"), transferred(client, "gzip")
    print(f"\nmap page static transfer: {before:,} bytes uncompressed, {after:,} bytes gzipped")
    assert after < before / 3
