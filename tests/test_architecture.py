"""Layers are enforced: each package imports only the ``commonground`` packages its row allows.

Every module under ``src/commonground`` is parsed with ``ast``, imports inside functions
included, and each ``commonground.*`` import is checked against the table below; the domain
also imports no framework, database or network library, and has no function-level imports
(they are how an import circle hides).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

SRC = Path(__file__).parents[1] / "src"
ROOT = "commonground"

# Who may import whom. A row names a package (or a top-level module) and the packages or
# modules it may import, itself included; a prefix allows everything below it. A module of a
# package without a row fails, so a new package has to take its place here first.
ALLOWED: Mapping[str, frozenset[str]] = {
    "config": frozenset({"config"}),
    "logs": frozenset({"logs"}),
    "domain": frozenset({"domain"}),
    "audit": frozenset({"audit", "domain"}),
    "service": frozenset({"service", "audit", "domain"}),
    "store": frozenset({"store", "service.ports", "service.signin_ports", "audit", "domain"}),
    "notify": frozenset({"notify", "service", "audit", "domain"}),
    "federation": frozenset({"federation", "service", "audit", "domain"}),
    "bootstrap": frozenset({"bootstrap", "config", "store", "notify", "federation", "service", "audit", "domain"}),
    "runtime": frozenset({"runtime", "bootstrap", "notify", "service", "domain", "logs"}),
    "edge": frozenset({"edge", "bootstrap", "service", "domain"}),
    "api": frozenset({"api", "edge", "runtime", "bootstrap", "notify.render", "service", "audit", "domain"}),
    "web": frozenset({"web", "edge", "bootstrap", "service", "domain"}),
    "http": frozenset({"http", "api", "web", "runtime", "bootstrap", "config", "logs"}),
    "demo": frozenset({"demo", "bootstrap", "config", "service", "domain"}),
    "cli": frozenset({"cli", "demo", "bootstrap", "config", "service", "domain", "logs", "runtime"}),
}
# The pure layers: no framework, database or network library.
PURE = ("domain", "audit", "service")
FRAMEWORKS = ("sqlalchemy", "fastapi", "pydantic", "httpx", "starlette", "uvicorn", "psycopg", "alembic")
NO_NESTED_IMPORTS = ("domain",)


@dataclass(frozen=True, slots=True)
class Import:
    module: str  # the importing module, e.g. commonground.service.channels
    target: str  # what it imports, e.g. commonground.notify.webhook
    nested: bool  # inside a function or class body


def modules(src: Path) -> dict[str, Path]:
    """Return every module of the ``commonground`` tree under ``src``, by dotted name."""
    found = {}
    for path in sorted((src / ROOT).rglob("*.py")):
        parts = path.relative_to(src).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _imports(tree: ast.AST, nested: bool = False) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node, nested
        inner = nested or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda)
        yield from _imports(node, inner)


def imports(name: str, path: Path, known: Mapping[str, Path]) -> Iterator[Import]:
    """Return every import of one module, relative ones resolved, ``from pkg import module`` as the module."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node, nested in _imports(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(name, alias.name, nested)
            continue
        base = node.module or ""
        if node.level:
            anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
            base = ".".join([*anchor, base] if base else anchor)
        for alias in node.names:
            sub = f"{base}.{alias.name}"
            yield Import(name, sub if sub in known else base, nested)


def layer(module: str) -> str:
    """Return the row a module answers to: its first name below ``commonground``."""
    return module.split(".")[1] if module.count(".") else ""


def within(target: str, allowed: frozenset[str]) -> bool:
    return any(target == f"{ROOT}.{a}" or target.startswith(f"{ROOT}.{a}.") for a in allowed)


def violations(src: Path) -> list[str]:
    """Return one line per forbidden import: the module, what it imports, and why it may not."""
    known = modules(src)
    out = []
    for name, path in known.items():
        row = layer(name)
        if not row:
            continue  # the root package itself
        if row not in ALLOWED:
            out.append(f"{name}: its package {row!r} has no row in the architecture table")
            continue
        for imp in imports(name, path, known):
            if imp.target.startswith(f"{ROOT}.") and not within(imp.target, ALLOWED[row]):
                where = " (inside a function)" if imp.nested else ""
                out.append(f"{name}: imports {imp.target}{where}; {row} may import only {sorted(ALLOWED[row])}")
            if row in PURE and imp.target.split(".")[0] in FRAMEWORKS:
                out.append(f"{name}: imports {imp.target}; {row} stays free of frameworks and I/O libraries")
            if row in NO_NESTED_IMPORTS and imp.nested:
                out.append(f"{name}: imports {imp.target} inside a function; {row} imports at the top only")
    return out


def test_every_import_follows_the_architecture_table() -> None:
    assert violations(SRC) == []


def test_every_package_has_a_row() -> None:
    packages = {layer(name) for name in modules(SRC)} - {""}
    assert packages == set(ALLOWED)


def test_the_checker_reports_a_back_edge(tmp_path: Path) -> None:
    """A service importing the notify adapters, and a domain module hiding an import in a function."""
    tree = tmp_path / ROOT
    for package in ("domain", "service", "notify"):
        (tree / package).mkdir(parents=True)
        (tree / package / "__init__.py").write_text("")
    (tree / "__init__.py").write_text("")
    (tree / "notify" / "webhook.py").write_text("def check_url(url: str) -> None: ...\n")
    (tree / "service" / "channels.py").write_text("from commonground.notify import webhook\n")
    (tree / "domain" / "subjects.py").write_text("def parse():\n    from ..domain import blinding\n")
    (tree / "domain" / "blinding.py").write_text("import sqlalchemy\n")
    found = violations(tmp_path)
    assert any(v.startswith("commonground.service.channels: imports commonground.notify.webhook;") for v in found)
    assert any(v.startswith("commonground.domain.subjects: imports commonground.domain.blinding inside") for v in found)
    assert any(v.startswith("commonground.domain.blinding: imports sqlalchemy;") for v in found)
    assert len(found) == 3


def test_the_checker_reports_a_package_without_a_row(tmp_path: Path) -> None:
    (tmp_path / ROOT / "gateway").mkdir(parents=True)
    (tmp_path / ROOT / "gateway" / "probe.py").write_text("from commonground.api import deps\n")
    assert violations(tmp_path) == [
        "commonground.gateway.probe: its package 'gateway' has no row in the architecture table"
    ]
