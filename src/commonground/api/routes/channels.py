"""Notification channels: an agency's webhooks and e-mail addresses, and the watch center's."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from commonground.api.deps import AgencyAdmin, InstallationAdmin, ServicesDep
from commonground.api.schemas import dump

router = APIRouter(tags=["channels"])


class WebhookIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(max_length=500)
    events: list[str] = Field(default_factory=list)
    secret: str | None = Field(default=None, min_length=16, max_length=128)


class EmailIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    address: str = Field(max_length=254)
    events: list[str] = Field(default_factory=list)


class ChannelsBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    webhooks: list[WebhookIn] = Field(default_factory=list)
    emails: list[EmailIn] = Field(default_factory=list)


@router.get("/agencies/{agency_id}/channels")
def get_channels(agency_id: str, services: ServicesDep, who: AgencyAdmin) -> dict[str, Any]:
    return services.channels.get(who, agency_id)


@router.put("/agencies/{agency_id}/channels")
def put_channels(agency_id: str, body: ChannelsBody, services: ServicesDep, who: AgencyAdmin) -> dict[str, Any]:
    """Replace the agency's channels; the response shows each webhook's signing secret once."""
    return services.channels.put(who, agency_id, dump(body))


@router.get("/watch/channels")
def get_watch_channels(services: ServicesDep, who: InstallationAdmin) -> dict[str, Any]:
    return services.channels.get(who, None)


@router.put("/watch/channels")
def put_watch_channels(body: ChannelsBody, services: ServicesDep, who: InstallationAdmin) -> dict[str, Any]:
    return services.channels.put(who, None, dump(body))
