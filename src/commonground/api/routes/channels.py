"""Notification channels: an agency's webhooks and e-mail addresses, and the watch center's."""

from __future__ import annotations

from fastapi import APIRouter

from commonground.api.deps import AgencyAdmin, InstallationAdmin, ServicesDep
from commonground.api.responses import PublicRoute, fails
from commonground.api.schemas.channels import ChannelsBody, ChannelsPublic, ChannelTestPublic
from commonground.api.schemas.common import dump

router = APIRouter(tags=["channels"], route_class=PublicRoute)


@router.get("/agencies/{agency_id}/channels", responses=fails(404, 422))
def get_channels(agency_id: str, services: ServicesDep, who: AgencyAdmin) -> ChannelsPublic:
    """The agency's webhooks and e-mail addresses (its agency_admin)."""
    return ChannelsPublic.model_validate(services.channels.get(who, agency_id))


@router.put("/agencies/{agency_id}/channels", responses=fails(404, 422))
def put_channels(agency_id: str, body: ChannelsBody, services: ServicesDep, who: AgencyAdmin) -> ChannelsPublic:
    """Replace the agency's channels; the response shows each webhook's signing secret once."""
    return ChannelsPublic.model_validate(services.channels.put(who, agency_id, dump(body)))


@router.post("/agencies/{agency_id}/channels/test", responses=fails(404, 422))
def test_channels(agency_id: str, services: ServicesDep, who: AgencyAdmin) -> ChannelTestPublic:
    """Send a `test` event, signed as every delivery is, to each of the agency's webhooks now."""
    return ChannelTestPublic.model_validate(services.channels.send_test(who, agency_id, services.webhooks))


@router.get("/watch/channels", responses=fails())
def get_watch_channels(services: ServicesDep, who: InstallationAdmin) -> ChannelsPublic:
    """The watch center's channels (installation admin)."""
    return ChannelsPublic.model_validate(services.channels.get(who, None))


@router.put("/watch/channels", responses=fails(422))
def put_watch_channels(body: ChannelsBody, services: ServicesDep, who: InstallationAdmin) -> ChannelsPublic:
    """Replace the watch center's channels; the response shows each webhook's signing secret once."""
    return ChannelsPublic.model_validate(services.channels.put(who, None, dump(body)))
