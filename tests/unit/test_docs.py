"""Every setting, command and audit action is documented; this fails when one is not."""

from __future__ import annotations

from pathlib import Path

import typer

from commonground.audit.tags import Action
from commonground.cli.main import app
from commonground.config import Settings

ROOT = Path(__file__).parents[2]


def test_every_setting_is_documented() -> None:
    text = (ROOT / "docs" / "settings.md").read_text()
    missing = [name for name in Settings.model_fields if f"COMMONGROUND_{name.upper()}" not in text]
    assert missing == []


def test_every_audit_action_is_documented() -> None:
    text = (ROOT / "docs" / "audit.md").read_text()
    assert [a.value for a in Action if f"`{a.value}`" not in text] == []


def command_paths(cli: typer.Typer, prefix: str = "") -> list[str]:
    paths = [f"{prefix}{c.name or c.callback.__name__}".strip() for c in cli.registered_commands if c.callback]
    for group in cli.registered_groups:
        assert group.typer_instance is not None
        paths += command_paths(group.typer_instance, f"{prefix}{group.name} ")
    return paths


def test_every_command_is_in_the_readme() -> None:
    text = (ROOT / "README.md").read_text()
    paths = command_paths(app)
    assert len(paths) >= 8
    assert [p for p in paths if f"commonground {p}" not in text] == []
