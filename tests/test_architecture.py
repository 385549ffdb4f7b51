"""The domain stays pure: no framework, database or network imports."""

from __future__ import annotations

import ast
from pathlib import Path

DOMAIN = Path(__file__).parents[1] / "src" / "commonground" / "domain"
FORBIDDEN = (
    "sqlalchemy",
    "fastapi",
    "pydantic",
    "httpx",
    "starlette",
    "uvicorn",
    "psycopg",
    "alembic",
    "commonground.store",
    "commonground.api",
    "commonground.service",
    "commonground.notify",
)


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_domain_imports_no_io_frameworks() -> None:
    offenders = {
        f"{path.name}: {name}"
        for path in DOMAIN.glob("*.py")
        for name in imported_modules(path)
        if name.startswith(FORBIDDEN)
    }
    assert not offenders


def test_the_domain_folder_is_not_empty() -> None:
    assert len(list(DOMAIN.glob("*.py"))) >= 6
