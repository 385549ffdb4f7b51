"""What `commonground demo` prints at start-up: the console's address, whom to sign in as, the authenticator."""

from __future__ import annotations

from pathlib import Path

from commonground.cli.serve import welcome
from commonground.demo import DEMO_PASSWORD, SeedReport


def test_the_start_up_output_says_where_to_go_and_how_to_sign_in() -> None:
    report = SeedReport(
        agencies=9,
        operations=60,
        conflicts=5,
        tokens=[("watch", "watch", "Watch", "tok-w"), ("mpd.sgt", "supervisor", "Minneapolis Police", "tok-m")],
        token_file=Path("demo-tokens.json"),
    )
    text = welcome(report, "http://127.0.0.1:8000/", DEMO_PASSWORD)
    assert "Open http://127.0.0.1:8000/ and sign in as watch (the watch center), mpd.sgt (a supervisor)" in text
    assert f"every password is {DEMO_PASSWORD!r}" in text
    assert "authenticator app" in text and "6-digit code" in text
    assert "  mpd.sgt          supervisor    Minneapolis Police" in text and "tok-m" in text
    assert "hcso.911" not in text  # only the users there are
