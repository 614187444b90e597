"""One bad record never stops a sync: whatever the parser or the database refuses is quarantined
alone, with its reason, and the rest of the page is applied (real pages, real database)."""

import csv
import dataclasses
import io
import json
import threading
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benefits.models import QuarantinedRecord, SyncRun, UniversalCreditAward
from benefits.sources import esa, pip, sp, uc
from benefits.sources.base import ParsedPage, RecordError, Rejected, SourceRecord
from benefits.sync.apply import AWARD_MODELS, latest_per_customer, records_apply
from benefits.sync.selectors.reconcile import reconcile
from customers.models import Customer
from tests.benefits.conftest import OPERATOR, sync_all_inline

pytestmark = pytest.mark.django_db

# Replaced in the page's bytes by a byte sequence that is not UTF-8 (nor ASCII).
BAD_BYTES = "\x01badbytes\x01"


def _bytes(text: str) -> bytes:
    return text.encode("utf-8").replace(BAD_BYTES.encode(), b"\xc3\x28\xff")


# --- the four systems' pages, each with one record made hostile ---


def uc_body(legacy: Any, item: int, path: tuple[Any, ...], value: Any) -> bytes:
    page = json.loads(legacy.get("/uc/v1/changes?limit=8"))
    target = page["changes"][item]
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return _bytes(json.dumps(page, ensure_ascii=False))


UC_PATHS = [
    ("version",),
    ("changed_at",),
    ("claim", "nino"),
    ("claim", "claim_id"),
    ("claim", "status"),
    ("claim", "household"),
    ("claim", "start_date"),
    ("claim", "claimant", "family_name"),
    ("claim", "claimant", "given_names"),
    ("claim", "claimant", "date_of_birth"),
    ("claim", "claimant", "date_of_death"),
    ("claim", "claimant", "address", "line_1"),
    ("claim", "claimant", "address", "town"),
    ("claim", "claimant", "address", "postcode"),
    ("claim", "entitlement", "award_amount_pence"),
    ("claim", "entitlement", "standard_allowance_pence"),
    ("claim", "work_coach"),
]


def _xml_safe(text: str) -> str:
    """XML 1.0 cannot carry most control characters at all (the batch would not be XML)."""
    return "".join(
        c for c in text if c in "\t\n\r" or "\x20" <= c <= "\ud7ff" or "\ue000" <= c <= "\ufffd"
    )


def pip_body(legacy: Any, item: int, path: tuple[str, str | None], value: str) -> bytes:
    root = ET.fromstring(legacy.get("/pip/batches/1.xml"))
    award = root.findall("Award")[item]
    where, attribute = path
    element = award if where == "." else award.find(where)
    assert element is not None, where
    value = value if value == BAD_BYTES else _xml_safe(value)
    if attribute is None:
        element.text = value
    else:
        element.set(attribute, value)
    return _bytes('<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode"))


PIP_PATHS = [
    (".", "seq"),
    (".", "changed"),
    ("Nino", None),
    ("ClaimRef", None),
    ("Claimant", "restricted"),
    ("Claimant/Forename", None),
    ("Claimant/Surname", None),
    ("Claimant/OtherForenames", None),
    ("Claimant/BirthDate", None),
    ("Claimant/Address/Line1", None),
    ("Claimant/Address/Postcode", None),
    ("Claim", "status"),
    ("Claim", "stage"),
    ("Claim", "provider"),
    ("Claim/StartDate", None),
    ("Components/DailyLiving", "weeklyPence"),
    ("Components/Mobility", "level"),
]


def _slot(layout: tuple[tuple[str, int], ...], name: str) -> tuple[int, int]:
    start = 0
    for field_name, width in layout:
        if field_name == name:
            return start, width
        start += width
    raise KeyError(name)


def esa_body(legacy: Any, item: int, path: tuple[str, str], value: str) -> bytes:
    text = legacy.get("/esa/extracts?from_seq=1&max=8").decode("ascii")
    lines = text[:-1].split("\n")
    line_type, name = path
    layout = esa.IDENTITY if line_type == "01" else esa.AWARD
    start, width = _slot(layout, name)
    customers = [n for n, line in enumerate(lines) if line[12:14] == "01"]
    number = next(n for n in range(customers[item], len(lines)) if lines[n][12:14] == line_type)
    cell = value if value == BAD_BYTES else value.replace("\n", " ")
    # Fixed width: one character per byte, so the record keeps its length.
    cell = cell[:width] if cell != BAD_BYTES else "\x00" * width
    body = lines[number]
    lines[number] = body[:start] + cell.ljust(width) + body[start + width :]
    encoded = "\n".join(lines).encode("latin-1", "replace") + b"\n"
    if value == BAD_BYTES:  # bytes beyond ASCII in place of the NULs, same length
        encoded = encoded.replace(b"\x00" * width, b"\xe9" * width)
    return encoded


ESA_PATHS = [
    ("01", "surname"),
    ("01", "forename"),
    ("01", "other_forenames"),
    ("01", "birth_date"),
    ("01", "restricted"),
    ("01", "postcode"),
    ("01", "changed"),
    ("02", "esa_type"),
    ("02", "status"),
    ("02", "group"),
    ("02", "weekly_pence"),
    ("02", "start_date"),
    ("02", "wca_outcome"),
]


def sp_body(legacy: Any, item: int, path: str, value: str) -> bytes:
    text = legacy.get("/sp/extracts?since=0&limit=8").decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    column = sp.COLUMNS.index(path)
    awards = [n for n, row in enumerate(rows) if row and row[0] == "AWARD"]
    rows[awards[item]][column] = value
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return _bytes(buffer.getvalue())


SP_PATHS = [
    "seq",
    "changed_at",
    "nino",
    "surname",
    "forenames",
    "birth_date",
    "restricted",
    "address_line_1",
    "postcode",
    "status",
    "pension_type",
    "sp_date",
    "qualifying_years",
    "additional_pence",
    "weekly_amount_pence",
    "payment_day",
]


def parse(source: str, body: bytes) -> ParsedPage:
    if source == "uc":
        return uc.parse_changes(body, position="0")
    if source == "pip":
        return pip.parse_batch(body, batch_id=1)
    if source == "esa":
        return esa.parse_extract(body, from_seq=1)
    return sp.parse_extract(body, since="0", next_since="8", has_more=True)


# --- hostile values: length, NUL, bad encoding, out-of-range numbers and dates, unknown codes ---

HOSTILE_TEXT = st.one_of(
    st.text(max_size=30),
    st.text(min_size=95, max_size=420),
    st.builds(lambda a, b: f"{a}\x00{b}", st.text(max_size=8), st.text(max_size=8)),
    st.just(BAD_BYTES),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.dates().map(date.isoformat),
    st.dates().map(lambda d: d.strftime("%d/%m/%Y")),
    st.dates().map(lambda d: d.strftime("%Y%m%d")),
    st.sampled_from(["", " ", "0001-01-01", "9999-12-31", "2025-02-30", "ZZZ", "¹²³", "\ufffd"]),
)
HOSTILE_JSON = st.one_of(
    HOSTILE_TEXT,
    st.integers(min_value=-(10**30), max_value=10**30),
    st.none(),
    st.booleans(),
    st.lists(HOSTILE_TEXT, max_size=3),
    st.dictionaries(st.sampled_from(["name", "x"]), HOSTILE_TEXT, max_size=2),
)
CASES = {
    "uc": (uc_body, st.sampled_from(UC_PATHS), HOSTILE_JSON),
    "pip": (pip_body, st.sampled_from(PIP_PATHS), HOSTILE_TEXT),
    "esa": (esa_body, st.sampled_from(ESA_PATHS), HOSTILE_TEXT),
    "sp": (sp_body, st.sampled_from(SP_PATHS), HOSTILE_TEXT),
}


def _store(run: SyncRun, source: str, rejected: list[Rejected]) -> None:
    """Quarantine as the sync does: every rejected record must be storable as it is."""
    QuarantinedRecord.objects.bulk_create(
        QuarantinedRecord(
            source=source,
            sync_run=run,
            position=r.position[:200],
            record_key=r.record_key[:100],
            record_version=r.version,
            raw_payload=r.raw_payload,
            reason=r.reason,
        )
        for r in rejected
    )


@pytest.mark.parametrize("source", ["uc", "pip", "esa", "sp"])
def test_every_hostile_record_is_applied_or_quarantined_alone(legacy, source):
    make_body, paths, values = CASES[source]
    clean = parse(source, _clean(legacy, source))
    assert clean.records
    assert not clean.rejected
    award_model = AWARD_MODELS[source]

    @settings(
        max_examples=25,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(item=st.integers(min_value=0, max_value=4), path=paths, value=values)
    def check(item: int, path: Any, value: Any) -> None:
        page = parse(source, make_body(legacy, item, path, value))
        # The page still parses whole: the hostile record is one item, never the page.
        assert page.fetched == clean.fetched
        assert all(r.reason for r in page.rejected)
        hostile = _item(clean.records[item].position)
        assert all(_item(r.position) == hostile for r in page.rejected), page.rejected
        others = [r for r in page.records if _item(r.position) != hostile]
        assert len(others) == len(clean.records) - 1
        with transaction.atomic():
            run = SyncRun.objects.create(source=source, status=SyncRun.Status.SUCCEEDED)
            result = records_apply(source=source, records=page.records, run_id=run.pk)
            refused = [page.rejection(record, reason) for record, reason in result.refused]
            assert all(_item(r.position) == hostile and r.reason for r in refused), refused
            _store(run, source, page.rejected + refused)
            latest, _ = latest_per_customer(page.records)
            applied = {r.nino: r.version for r in latest if _item(r.position) != hostile}
            applied |= {
                r.nino: r.version for r in latest if _item(r.position) == hostile and not refused
            }
            held = dict(
                award_model.objects.filter(customer__nino__in=applied).values_list(
                    "customer__nino", "source_version"
                )
            )
            assert held == applied
            transaction.set_rollback(True)

    check()


def _item(position: str) -> str:
    """Which item of the page a position names (without the sequence number it may quote)."""
    return position.split(" (seq")[0]


def _clean(legacy: Any, source: str) -> bytes:
    return {
        "uc": lambda: legacy.get("/uc/v1/changes?limit=8"),
        "pip": lambda: legacy.get("/pip/batches/1.xml"),
        "esa": lambda: legacy.get("/esa/extracts?from_seq=1&max=8"),
        "sp": lambda: legacy.get("/sp/extracts?since=0&limit=8"),
    }[source]()


# --- the database as the last line: a record no parser check caught is refused alone ---


def _sneak(record: SourceRecord, **identity: Any) -> SourceRecord:
    """The record with identity fields its checks would refuse, set past them: what a column
    narrowed or a limit nobody checked would let through to the database."""
    spoiled = dataclasses.replace(record.identity)
    for name, value in identity.items():
        object.__setattr__(spoiled, name, value)
    sneaked = dataclasses.replace(record)
    object.__setattr__(sneaked, "identity", spoiled)
    return sneaked


def test_a_record_the_database_refuses_is_returned_alone_and_the_rest_applied(legacy):
    page = uc.parse_changes(legacy.get("/uc/v1/changes?limit=8"), position="0")
    records = list(page.records)
    records[3] = _sneak(records[3], last_name="X" * 101)
    records[6] = _sneak(records[6], first_name="Nul\x00Byte")
    run = SyncRun.objects.create(source="uc", status=SyncRun.Status.SUCCEEDED)
    result = records_apply(source="uc", records=records, run_id=run.pk)
    assert sorted(r.position for r, _ in result.refused) == sorted(
        [records[3].position, records[6].position]
    )
    reasons = " | ".join(reason for _, reason in result.refused)
    assert "the database refused the record" in reasons
    assert "too long" in reasons
    wanted = {r.nino for n, r in enumerate(records) if n not in (3, 6)}
    assert set(UniversalCreditAward.objects.values_list("customer__nino", flat=True)) == wanted
    assert result.created == len(wanted)
    # Quarantined from the page it came in, whole and replayable.
    entry = page.rejection(records[3], result.refused[0][1])
    assert json.loads(entry.raw_payload)["claim"]["nino"] == records[3].nino


def test_the_parser_names_the_field_and_the_limit():
    with pytest.raises(RecordError, match=r"last name is 101 characters long \(at most 100\)"):
        uc.parse_change(_uc_change(family_name="X" * 101), position="t")
    with pytest.raises(RecordError, match="first name contains a NUL byte"):
        uc.parse_change(_uc_change(given_names=["A\x00B"]), position="t")
    with pytest.raises(RecordError, match="date of birth is out of range"):
        uc.parse_change(_uc_change(date_of_birth="0001-01-01"), position="t")
    with pytest.raises(RecordError, match="award amount pence is out of range"):
        uc.parse_change(_uc_change(award_amount_pence=2**31), position="t")
    with pytest.raises(RecordError, match="not valid text"):
        uc.parse_change(_uc_change(family_name="Bad\udcffByte"), position="t")


def _uc_change(
    *,
    family_name: str = "Harris",
    given_names: list[str] | None = None,
    date_of_birth: str = "1988-08-29",
    award_amount_pence: int = 1000,
) -> dict[str, Any]:
    return {
        "version": 1,
        "changed_at": "2026-12-03T00:00:00Z",
        "claim": {
            "claim_id": "UC1",
            "nino": "ZX000000A",
            "status": "live",
            "start_date": "2022-12-10",
            "household": "single",
            "claimant": {
                "given_names": given_names or ["Deborah"],
                "family_name": family_name,
                "date_of_birth": date_of_birth,
                "address": {"line_1": "1 Moor Walk", "town": "Nottingham", "postcode": "NG1 5SB"},
            },
            "entitlement": {
                "standard_allowance_pence": 40014,
                "award_amount_pence": award_amount_pence,
                "elements": [],
                "deductions": [],
                "sanctions": [],
            },
            "claimant_commitment": {"conditionality_regime": "light_touch"},
        },
    }


# --- through the real sync: the legacy system serves a page with two hostile records ---


@pytest.fixture
def hostile_uc(legacy, settings) -> Iterator[list[str]]:
    """The UC feed through a proxy that lengthens one family name and puts a NUL in another
    given name on the first page; the NINOs it spoiled are yielded."""
    spoiled: list[str] = []

    class Proxy(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            with urllib.request.urlopen(legacy.url + self.path, timeout=30) as answer:
                body, headers = answer.read(), dict(answer.headers.items())
            if self.path.startswith("/uc/v1/changes") and "cursor=0&" in self.path:
                page = json.loads(body)
                for number, spoil in ((2, "family"), (5, "given")):
                    claimant = page["changes"][number]["claim"]["claimant"]
                    if spoil == "family":
                        claimant["family_name"] = "Harris-" + "X" * 100
                    else:
                        claimant["given_names"][0] = "Deb\x00orah"
                    if page["changes"][number]["claim"]["nino"] not in spoiled:
                        spoiled.append(page["changes"][number]["claim"]["nino"])
                body = json.dumps(page).encode()
            self.send_response(200)
            for name, value in headers.items():
                if name.lower() not in (
                    "content-length",
                    "transfer-encoding",
                    "connection",
                    "date",
                    "server",
                ):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.LEGACY_BASE_URL = f"http://127.0.0.1:{server.server_port}"
    try:
        yield spoiled
    finally:
        server.shutdown()
        server.server_close()


def test_a_uc_page_with_an_over_long_name_and_a_nul_byte_is_applied_all_but_those(
    legacy, hostile_uc
):
    run = sync_all_inline()["uc"]
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert run.fetched == run.created + run.updated + run.unchanged + run.quarantined
    spoiled = set(hostile_uc)
    assert len(spoiled) == 2
    entries = QuarantinedRecord.objects.filter(source="uc")
    assert entries.count() == 2
    reasons = sorted(entries.values_list("reason", flat=True))
    assert any("last name is 107 characters long (at most 100)" in r for r in reasons), reasons
    assert any("first name contains a NUL byte" in r for r in reasons), reasons
    holders = {t["nino"] for t in legacy.truth() if "uc" in t["sources"]}
    synced = set(UniversalCreditAward.objects.values_list("customer__nino", flat=True))
    assert synced == holders - spoiled
    assert not Customer.objects.filter(nino__in=spoiled).exists()
    # reconcile_legacy sees the two customers missing and explains both by their quarantine.
    differences, _ = reconcile(audit=OPERATOR)
    assert {d.nino for d in differences} == spoiled
    assert all(d.explained for d in differences), [str(d) for d in differences]
