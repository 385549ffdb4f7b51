"""The sender a setting names: real, null (dropped with a log line) or recording (kept in memory)."""

from __future__ import annotations

import logging

import pytest

from commonground.bootstrap import build_email_sender, build_webhook_sender
from commonground.config import Settings
from commonground.notify.email import SmtpEmailSender
from commonground.notify.senders import (
    NullEmailSender,
    NullWebhookSender,
    RecordingEmailSender,
    RecordingWebhookSender,
    Sent,
)
from commonground.notify.webhook import HttpWebhookSender


def test_the_real_senders_are_the_default() -> None:
    webhooks = build_webhook_sender(Settings())
    try:
        assert isinstance(webhooks, HttpWebhookSender)
    finally:
        webhooks.close()
    assert isinstance(build_email_sender(Settings()), SmtpEmailSender)


def test_a_recording_sender_keeps_what_was_sent() -> None:
    settings = Settings(webhook_sender="recording", email_sender="recording")
    webhooks, email = build_webhook_sender(settings), build_email_sender(settings)
    assert isinstance(webhooks, RecordingWebhookSender) and isinstance(email, RecordingEmailSender)
    webhooks.send("https://hooks.example.gov/cg", "secret", b'{"id":"1:webhook:x"}', "1:webhook:x")
    email.send("desk@city.example.gov", {"id": "1:email:desk"}, "1:email:desk")
    assert webhooks.sent == [Sent("webhook", "https://hooks.example.gov/cg", "1:webhook:x", {"id": "1:webhook:x"})]
    assert email.sent == [Sent("email", "desk@city.example.gov", "1:email:desk", {"id": "1:email:desk"})]


def test_a_null_sender_drops_with_a_log_line(caplog: pytest.LogCaptureFixture) -> None:
    settings = Settings(webhook_sender="null", email_sender="null")
    webhooks, email = build_webhook_sender(settings), build_email_sender(settings)
    assert isinstance(webhooks, NullWebhookSender) and isinstance(email, NullEmailSender)
    with caplog.at_level(logging.INFO, logger="commonground.notify.senders"):
        webhooks.send("https://hooks.example.gov/cg", "secret", b"{}", "1:webhook:x")
        email.send("desk@city.example.gov", {}, "1:email:desk")
    assert ["webhook" in caplog.messages[0], "email" in caplog.messages[1]] == [True, True]


def test_an_unknown_sender_kind_is_refused() -> None:
    with pytest.raises(ValueError):
        Settings(webhook_sender="carrier-pigeon")
