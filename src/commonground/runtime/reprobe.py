"""Ask peers that could not be checked again, and resend notices they missed, until they answer."""

from __future__ import annotations

from commonground.bootstrap import Services
from commonground.runtime.ticker import Ticker

MIN_TICK_SECONDS = 0.2  # how often a process looks for due re-probes, at most; each row keeps its own backoff


def reprobe_round(services: Services) -> None:
    """Ask the unchecked peers again, then send the notices peers have not taken (some owed by this round)."""
    services.reprobe.run_due()
    services.federated_notices.retry_due()


class ReprobeLoop(Ticker):
    """A background thread per server process; the rows are in the database, so a restart resumes them."""

    def __init__(self, services: Services) -> None:
        tick = max(services.settings.federation_reprobe_seconds / 4, MIN_TICK_SECONDS)
        super().__init__(
            "federation-reprobe", tick, lambda: reprobe_round(services), "re-probing unchecked peers failed"
        )
