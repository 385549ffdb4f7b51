"""The floor under issue 19's ratios: the least a look-up can be on this stack, served by ``bench_floor.py``.

A FastAPI app on uvicorn and SQLAlchemy over SQLite (WAL, ``synchronous=FULL``), as Common
Ground is, that does only what any audited look-up must: find the caller by a hashed bearer token
(one indexed read, on the event loop), answer through a response model and, for ``/write``, keep
one durable record (one insert and its commit) before answering. No middleware, no limits, no
search, no teams told: whatever it costs over its own ``/healthz``, a real look-up costs more.
"""

from __future__ import annotations

import hashlib
import os
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Request
from floor_db import durable_engine
from pydantic import BaseModel
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select
from sqlalchemy.engine import Engine

TOKEN = "floor-token"

engine = durable_engine(os.environ["FLOOR_DATABASE"])


metadata = MetaData()
tokens = Table("tokens", metadata, Column("hash", String, primary_key=True), Column("user_id", String))
records = Table(
    "records", metadata, Column("seq", Integer, primary_key=True), Column("user_id", String), Column("place", String)
)


def _prepare(on: Engine) -> None:
    metadata.create_all(on)
    with on.begin() as conn:
        if conn.execute(select(tokens.c.hash)).first() is None:
            conn.execute(insert(tokens), {"hash": hashlib.sha256(TOKEN.encode()).hexdigest(), "user_id": "u1"})


_prepare(engine)
reader = engine.connect()
app = FastAPI()


class HealthPublic(BaseModel):
    status: str


class AnswerPublic(BaseModel):
    user_id: str
    lat: float
    lon: float


async def caller(request: Request) -> str:
    """The bearer token's user, read on the event loop as Common Ground reads it on SQLite."""
    token = request.headers.get("authorization", "").partition(" ")[2]
    digest = hashlib.sha256(token.encode()).hexdigest()
    row = reader.execute(select(tokens.c.user_id).where(tokens.c.hash == digest)).first()
    reader.rollback()
    if row is None:
        raise HTTPException(401)
    return str(row[0])


@app.get("/healthz", response_model=HealthPublic)
def healthz() -> HealthPublic:
    return HealthPublic(status="ok")


@app.get("/read", response_model=AnswerPublic)
def read(user_id: Annotated[str, Depends(caller)], lat: float, lon: float) -> AnswerPublic:
    """A look-up's answer with nothing kept: what would be left if its record left the request path."""
    return AnswerPublic(user_id=user_id, lat=lat, lon=lon)


@app.get("/write", response_model=AnswerPublic)
def write(user_id: Annotated[str, Depends(caller)], lat: float, lon: float) -> AnswerPublic:
    """A look-up's answer after its one durable record: the least an audited look-up is."""
    with engine.begin() as conn:
        conn.execute(insert(records), {"user_id": user_id, "place": f"{lat},{lon}"})
    return AnswerPublic(user_id=user_id, lat=lat, lon=lon)
