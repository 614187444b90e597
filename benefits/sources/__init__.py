"""One adapter per legacy system; `client_for(source)` gives the one that speaks its protocol."""

from collections.abc import Callable
from typing import Protocol

from django.conf import settings

from benefits.sources import esa, pip, sp, uc
from benefits.sources.base import LegacyHttpClient, ParsedPage, SourceRecord
from benefits.sources.esa import EsaClient
from benefits.sources.pip import PipClient
from benefits.sources.sp import SpClient
from benefits.sources.uc import UcClient

SOURCES = ("uc", "pip", "esa", "sp")


class SourceClient(Protocol):
    source: str

    def read_page(self, position: str) -> ParsedPage: ...

    def parse_replay(self, raw_payload: str, position: str) -> SourceRecord: ...


_CLIENTS: dict[str, type[UcClient | PipClient | EsaClient | SpClient]] = {
    "uc": UcClient,
    "pip": PipClient,
    "esa": EsaClient,
    "sp": SpClient,
}


def client_for(source: str, *, http: LegacyHttpClient | None = None) -> SourceClient:
    page_size = settings.SYNC_PAGE_SIZE
    return _CLIENTS[source](http, page_size=page_size)


_PAYLOAD_RESTRICTED: dict[str, Callable[[str], bool | None]] = {
    "uc": uc.payload_restricted,
    "pip": pip.payload_restricted,
    "esa": esa.payload_restricted,
    "sp": sp.payload_restricted,
}


def payload_restricted(source: str, raw_payload: str) -> bool | None:
    """Whether a record in `source`'s own format (a quarantined payload, however damaged) marks
    its customer as restricted: True or False as its flag says, None when the flag cannot be
    read (a reader must then treat the record as perhaps restricted)."""
    return _PAYLOAD_RESTRICTED[source](raw_payload)


def high_water_mark(source: str, http: LegacyHttpClient | None = None) -> int | None:
    """The source's latest record version, for the progress bar; None when it will not say.

    The simulated systems publish it at /_control/clock; a real system would need its own
    "latest sequence" call. Progress is then (position - start) / (latest - start).
    """
    client = http or LegacyHttpClient(attempts=1, timeout=3)
    try:
        clock = client.json("/_control/clock")
        return int(clock["latest_versions"][source])
    except Exception:
        return None
