"""Sign the audit log's checkpoints as they fall due (every N records or M minutes), in the background."""

from __future__ import annotations

from commonground.bootstrap import Services
from commonground.runtime.ticker import Ticker

TICK_SECONDS = 15.0  # how often a process asks whether a checkpoint is due; signing takes one transaction


class CheckpointSigner(Ticker):
    """A background thread per server process; two processes signing the same size keep one.

    A broken chain is refused, not signed: the ticker logs it and the loop stays alive."""

    def __init__(self, services: Services, tick: float = TICK_SECONDS) -> None:
        self.services = services
        super().__init__("audit-checkpoints", tick, services.audit.checkpoint, "signing an audit checkpoint failed")
