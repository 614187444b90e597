"""A minimal HTTP consumer of the four feeds for the tests: reads every record, newest wins."""

import urllib.request
from typing import Any

from tests.legacy_mocks import parsers

Key = tuple[str, str]  # (system, nino)


def get(
    base_url: str,
    path: str,
    *,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
    timeout: float = 30,
) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(
        base_url + path, data=body, method=method, headers=headers or {}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


class Reader:
    """Pages through every feed, keeping the newest version per (system, NINO).

    An older version never overwrites a newer one; malformed records are quarantined by version.
    """

    def __init__(self, base_url: str, page: int = 500):
        self.base_url, self.page = base_url, page
        self.latest: dict[Key, dict[str, Any]] = {}
        self.quarantined: set[tuple[str, int]] = set()
        self.positions = {"uc": "0", "pip": "0", "esa": 1, "sp": "0"}

    def read_all(self) -> "Reader":
        self._uc()
        self._pip()
        self._esa()
        self._sp()
        return self

    def _keep(self, system: str, items: list[parsers.Parsed | parsers.Malformed]) -> None:
        for item in items:
            if isinstance(item, parsers.Malformed):
                self.quarantined.add((system, item.version))
                continue
            version, nino, source = item
            current = self.latest.get((system, nino))
            if current is None or current["version"] < version:
                self.latest[(system, nino)] = source

    def _uc(self) -> None:
        while True:
            status, _, body = get(
                self.base_url, f"/uc/v1/changes?cursor={self.positions['uc']}&limit={self.page}"
            )
            assert status == 200
            items, self.positions["uc"], more = parsers.uc_page(body)
            self._keep("uc", items)
            if not more:
                return

    def _pip(self) -> None:
        _, _, body = get(self.base_url, f"/pip/batches?after={self.positions['pip']}")
        for batch_id in parsers.pip_batch_ids(body):
            status, _, batch = get(self.base_url, f"/pip/batches/{batch_id}.xml")
            assert status == 200
            self._keep("pip", parsers.pip_batch(batch))
            self.positions["pip"] = batch_id

    def _esa(self) -> None:
        while True:
            _, _, body = get(
                self.base_url, f"/esa/extracts?from_seq={self.positions['esa']}&max={self.page}"
            )
            items, next_seq = parsers.esa_extract(body)
            self._keep("esa", items)
            self.positions["esa"] = next_seq
            if not items:
                return

    def _sp(self) -> None:
        while True:
            _, headers, body = get(
                self.base_url, f"/sp/extracts?since={self.positions['sp']}&limit={self.page}"
            )
            self._keep("sp", parsers.sp_extract(body))
            self.positions["sp"] = headers["X-Next-Since"]
            if headers["X-Has-More"] != "true":
                return
