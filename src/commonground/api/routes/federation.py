"""Federation, as the installation's own users see it: its identity and its peers."""

from __future__ import annotations

from fastapi import APIRouter, Response

from commonground.api.deps import AnyUser, InstallationAdmin, ServicesDep
from commonground.api.responses import PublicRoute, fails
from commonground.api.schemas.common import dump
from commonground.api.schemas.federation import IdentityPublic, PeerCreate, PeerPublic, PeersPublic

router = APIRouter(tags=["federation"], route_class=PublicRoute)


@router.get("/federation/identity", responses=fails())
def identity(services: ServicesDep, _: AnyUser) -> IdentityPublic:
    """This installation's name, URL and public key: what a peer's admin registers."""
    return IdentityPublic.model_validate(services.federation.identity())


@router.get("/federation/peers", responses=fails())
def list_peers(services: ServicesDep, who: InstallationAdmin) -> PeersPublic:
    """Every peer installation this one trusts (installation admin)."""
    return PeersPublic(items=[PeerPublic.model_validate(p) for p in services.federation.peers(who)])


@router.post("/federation/peers", status_code=201, responses=fails(409, 422))
def add_peer(body: PeerCreate, services: ServicesDep, who: InstallationAdmin) -> PeerPublic:
    """Trust a peer installation; it is trusted both ways once its admin registers this one too."""
    return PeerPublic.model_validate(services.federation.add_peer(who, dump(body)))


@router.delete("/federation/peers/{peer_id}", status_code=204, response_class=Response, responses=fails(404, 422))
def remove_peer(peer_id: str, services: ServicesDep, who: InstallationAdmin) -> Response:
    """Stop trusting a peer: its requests are refused from now on."""
    services.federation.remove_peer(who, peer_id)
    return Response(status_code=204)
