"""One adapter per legacy system; `client_for(source)` gives the one that speaks its protocol."""

from typing import Protocol

from django.conf import settings

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
