"""The process's log: one JSON object per line (``COMMONGROUND_LOG_FORMAT=json``), or plain text for a
developer's terminal (``text``). Standard-library loggers (uvicorn's, the package's) and structlog's
go through the same formatter, so every line of a process has one shape and carries the request id
bound for the request being served (``bind_request``).

What is logged names ids only: never a subject's value, a contact detail, a target or a token.
"""

from __future__ import annotations

import logging
import sys
from typing import Any, Literal

import structlog

LogFormat = Literal["json", "text"]
_SHARED: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.stdlib.ExtraAdder(),
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def configure(fmt: LogFormat = "json", level: str = "info") -> None:
    """Send every log record of this process to stderr in ``fmt``; safe to call again (it replaces)."""
    renderer: Any = (
        structlog.processors.JSONRenderer(sort_keys=False)
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_SHARED,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            renderer,
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers = []
        logger.propagate = True
    # httpx logs every request it sends at INFO: one line per probe to every peer and per webhook
    # delivery, on the submission's path. Failures are logged by the callers, with what they mean.
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.stdlib.add_log_level,
            structlog.stdlib.add_logger_name,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def get(name: str) -> Any:
    """A structured logger: ``get(__name__).info("event", key=value, ...)``."""
    return structlog.stdlib.get_logger(name)


def bind_request(request_id: str) -> Any:
    """Bind ``request_id`` to every line logged while this request is served; return the reset token."""
    return structlog.contextvars.bind_contextvars(request_id=request_id)


def unbind_request(tokens: Any) -> None:
    structlog.contextvars.reset_contextvars(**tokens)
