"""The exchange app's models live in its sub-packages (standard file names there); Django finds them here."""

from exchange.networking.models import (
    Delivery,
    DeliveryAttempt,
    ExchangeRecord,
    HeldRecord,
    InboundItem,
    Peer,
    RecordVersion,
    SeenNonce,
)
from exchange.open311.models import ApiClient
from exchange.public.models import PublicReport

__all__ = [
    "ApiClient",
    "Delivery",
    "DeliveryAttempt",
    "ExchangeRecord",
    "HeldRecord",
    "InboundItem",
    "Peer",
    "PublicReport",
    "RecordVersion",
    "SeenNonce",
]
