"""The floor under issue 12's ratio: the least a peer's answer to a probe can be on this stack.

Served by ``bench_federation.py --floor``. A FastAPI app on uvicorn and SQLAlchemy over SQLite
(WAL, ``synchronous=FULL``), as Common Ground is, that does only what any answer to a probe must:
verify the RFC 9421 signature and sign the answer with the same code as Common Ground
(``Ed25519Link``, the ``http-message-signatures`` library), and keep the request's nonce and one
audit row durably (one insert each, one commit) before answering. No middleware, no search: it
answers that nothing conflicts. Whatever a real peer costs over it is the peer's own work.
"""

from __future__ import annotations

import json
import os

from fastapi import FastAPI, HTTPException, Request, Response
from floor_db import durable_engine
from sqlalchemy import Column, Integer, MetaData, String, Table, insert
from sqlalchemy.exc import IntegrityError

from commonground.domain.errors import SignatureRefused
from commonground.federation.link import Ed25519Link

NAME, URL = os.environ["FLOOR_NAME"], os.environ["FLOOR_URL"]
PRIVATE_KEY, TRUSTED_KEY = os.environ["FLOOR_PRIVATE_KEY"], os.environ["FLOOR_TRUSTED_KEY"]
PROBE = "/federation/v1/probe"

engine = durable_engine(os.environ["FLOOR_DATABASE"])


metadata = MetaData()
nonces = Table("nonces", metadata, Column("nonce", String, primary_key=True))
records = Table("records", metadata, Column("seq", Integer, primary_key=True), Column("ref", String))


metadata.create_all(engine)
link = Ed25519Link()
app = FastAPI()


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.post(PROBE)
async def probe(request: Request) -> Response:
    """Verify, keep the nonce and a record, sign "nothing here": a probe's answer and no more."""
    body, headers, url = await request.body(), dict(request.headers.items()), f"{URL}{PROBE}"
    try:
        signed = link.verify(TRUSTED_KEY, "POST", url, headers, body, 300)
    except SignatureRefused as exc:
        raise HTTPException(401, str(exc)) from exc
    ref = str(json.loads(body).get("ref"))
    try:
        with engine.begin() as conn:
            conn.execute(insert(nonces), {"nonce": signed.nonce})
            conn.execute(insert(records), {"ref": ref})
    except IntegrityError as exc:
        raise HTTPException(401, "replayed") from exc
    answer = json.dumps({"installation": NAME, "ref": ref, "hits": [], "jurisdictions": 0}).encode()
    signed_headers = link.sign(PRIVATE_KEY, "POST", url, {"Content-Type": "application/json"}, answer, 200)
    return Response(answer, status_code=200, headers=signed_headers)
