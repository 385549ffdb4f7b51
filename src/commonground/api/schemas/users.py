"""People's accounts after creation: the list, changes, disabling, resets."""

from __future__ import annotations

from pydantic import AwareDatetime

from commonground.api.schemas.agencies import UserPublic
from commonground.api.schemas.common import ID_EXAMPLE, TIME_EXAMPLE, Instant, Public, Strict, described, next_cursor
from commonground.domain.model import Role


class AccountPublic(UserPublic):
    disabled: bool = described("Disabled: no token, session or sign-in works.", False)
    expires_at: Instant | None = described("When a temporary account stops working, or null.", None)


class AccountsPublic(Public):
    items: list[AccountPublic] = described("People the administrator answers for, by username.", [])
    next: str | None = next_cursor()


class UserPatch(Strict):
    display_name: str | None = described("Name shown to colleagues.", "Sgt. A. Moore", default=None)
    phone: str | None = described("Phone, for notifications; null clears it.", "+1 612 555 0100", default=None)
    email: str | None = described("E-mail address; null clears it.", "a.moore@example.org", default=None)
    roles: list[Role] | None = described(
        "The whole new set of roles; agency administrators change agency roles only.", ["supervisor"], default=None
    )
    expires_at: AwareDatetime | None = described(
        "Make the account temporary: it stops working then (at most 72 hours ahead, a setting); null: permanent.",
        "2026-12-03T12:00:00Z",
        default=None,
    )


class PasswordResetPublic(Public):
    user_id: str = described("Whose password it sets.", ID_EXAMPLE)
    token: str = described("The one-time set-password token, shown once; give it to the person.", "cg_4fQ…")
    expires_at: Instant = described("When it stops working (24 hours).", TIME_EXAMPLE)
    set_password_url: str = described("The console page where the person uses it.", "/set-password")


class SetPassword(Strict):
    token: str = described("The set-password token an administrator issued.", "cg_4fQ…", max_length=200)
    password: str = described("The new password, at least 12 characters.", "correct horse battery", max_length=512)
