"""Every parser against every quirk and malformed case, on pages the simulated systems serve."""

import csv
import io
import json
import re

import pytest

from benefits.sources import esa, pip, sp, uc
from benefits.sources.base import RecordError, TransientSourceError
from benefits.sync.apply import latest_per_customer

# --- helpers: one real page of each system ---


def uc_page(legacy, fault=""):
    return legacy.get("/uc/v1/changes?limit=40", fault=fault)


def pip_batch(legacy, fault=""):
    return legacy.get("/pip/batches/1.xml", fault=fault)


def esa_extract(legacy, fault=""):
    return legacy.get("/esa/extracts?from_seq=1&max=30", fault=fault)


def sp_extract(legacy, fault=""):
    return legacy.get("/sp/extracts?since=0&limit=40", fault=fault)


def parse(source, body):
    if source == "uc":
        return uc.parse_changes(body, position="0")
    if source == "pip":
        return pip.parse_batch(body, batch_id=1)
    if source == "esa":
        return esa.parse_extract(body, from_seq=1)
    return sp.parse_extract(body, since="0", next_since="40", has_more=True)


FETCH = {"uc": uc_page, "pip": pip_batch, "esa": esa_extract, "sp": sp_extract}


@pytest.mark.parametrize("source", ["uc", "pip", "esa", "sp"])
def test_a_clean_page_parses_whole_into_canonical_records(legacy, source):
    page = parse(source, FETCH[source](legacy))
    assert page.records
    assert not page.rejected
    truth = {t["nino"]: t for t in legacy.truth()}
    for record in page.records:
        held = truth[record.nino]["sources"][source]
        assert record.version == held["version"]
        assert record.identity.last_name == held["identity"]["last_name"][:40].strip()
        assert record.award.status == held["status"]
        wanted = len(held["payments"]) + (1 if held["next_payment"] else 0)
        assert len(record.payments) == wanted
        assert all(p.amount_pence == int(p.amount_pence) for p in record.payments)


@pytest.mark.parametrize("source", ["uc", "pip", "esa", "sp"])
def test_records_the_system_spoils_are_rejected_with_a_reason_and_no_others(legacy, source):
    legacy.faults(f"{source}:malformed=0.3")
    page = parse(source, FETCH[source](legacy))
    truth = {t["nino"][:8]: t for t in legacy.truth()}
    spoilt = {r.record_key[:8] for r in page.rejected}
    assert spoilt, "the fault rate should spoil some records"
    for rejected in page.rejected:
        assert rejected.source == source
        assert rejected.reason
        assert rejected.raw_payload
        assert rejected.version is not None
        assert rejected.position
        assert truth[rejected.record_key[:8]]["sources"][source]["malformed"]
    for record in page.records:
        assert not truth[record.nino[:8]]["sources"][source]["malformed"]


# --- each malformation, made by hand on a real page ---


def _uc_mutate(body, change):
    page = json.loads(body)
    change(page["changes"][0]["claim"])
    return json.dumps(page).encode()


UC_CASES = {
    "bad_date": lambda c: c["claimant"].update(date_of_birth="1980-02-30"),
    "unknown_code": lambda c: c["claimant_commitment"].update(conditionality_regime="UNKNOWN"),
    "invalid_nino": lambda c: c.update(nino=c["nino"][:8] + "E"),
    "missing_field": lambda c: c.pop("entitlement"),
    "amount_not_a_number": lambda c: c["entitlement"].update(standard_allowance_pence="lots"),
}


@pytest.mark.parametrize("case", sorted(UC_CASES))
def test_uc_malformed_claims_are_rejected(legacy, case):
    page = uc.parse_changes(_uc_mutate(uc_page(legacy), UC_CASES[case]), position="0")
    assert len(page.rejected) == 1
    assert page.rejected[0].position == "cursor 0 item 0"
    assert json.loads(page.rejected[0].raw_payload)["version"] >= 1


PIP_CASES = {
    "bad_date": (r"<BirthDate>(\d{4})-\d\d-\d\d</BirthDate>", r"<BirthDate>\1-02-30</BirthDate>"),
    "unknown_code": (r'stage="[A-Z]+"', 'stage="UNKNOWN"'),
    "invalid_nino": (r"<Nino>(ZX\d{6})[A-D]</Nino>", r"<Nino>\1E</Nino>"),
    "bad_level": (r'<DailyLiving level="[A-Z]+"', '<DailyLiving level="HIGH"'),
}


@pytest.mark.parametrize("case", sorted(PIP_CASES))
def test_pip_malformed_awards_are_rejected(legacy, case):
    pattern, replacement = PIP_CASES[case]
    body = re.sub(pattern, replacement, pip_batch(legacy).decode(), count=1).encode()
    page = pip.parse_batch(body, batch_id=1)
    assert len(page.rejected) == 1
    assert page.rejected[0].raw_payload.startswith("<Award")


def _esa_set(body, record_type, column, width, value):
    """Overwrite a field (1-based column) in the first line of `record_type`."""
    lines = body.decode().split("\n")
    for n, line in enumerate(lines):
        if line[12:14] == record_type:
            lines[n] = line[: column - 1] + value.ljust(width)[:width] + line[column - 1 + width :]
            break
    return "\n".join(lines).encode()


ESA_CASES = {
    "bad_date": ("01", 154, 8, "19800230"),
    "unknown_code": ("02", 26, 1, "X"),
    "invalid_nino": ("01", 15, 9, "ZX000001E"),
    "bad_restricted_flag": ("01", 170, 1, "?"),
}


@pytest.mark.parametrize("case", sorted(ESA_CASES))
def test_esa_malformed_customers_are_rejected(legacy, case):
    page = esa.parse_extract(_esa_set(esa_extract(legacy), *ESA_CASES[case]), from_seq=1)
    assert len(page.rejected) == 1
    assert page.rejected[0].raw_payload.count("\n") >= 1  # the 01 line and the lines after it


def test_esa_payment_type_n_is_the_scheduled_next_payment(legacy):
    page = esa.parse_extract(esa_extract(legacy), from_seq=1)
    scheduled = [p for r in page.records for p in r.payments if p.status == "scheduled"]
    assert scheduled
    assert all(p.kind == "regular" for p in scheduled)


def _sp_set(body, column, value):
    lines = body.decode().split("\r\n")
    header = lines[0].split(",")
    for n, line in enumerate(lines[1:], start=1):
        if line.startswith("AWARD"):
            cells = next(iter(csv.reader([line])))
            cells[header.index(column)] = value
            out = io.StringIO()
            csv.writer(out, lineterminator="").writerow(cells)
            lines[n] = out.getvalue()
            break
    return "\r\n".join(lines).encode()


SP_CASES = {
    "bad_date": ("birth_date", "30/02/1950"),
    "unknown_code": ("pension_type", "UNKNOWN"),
    "invalid_nino": ("nino", "ZX000002E"),
    "american_date": ("sp_date", "2020-01-31"),
}


@pytest.mark.parametrize("case", sorted(SP_CASES))
def test_sp_malformed_awards_are_rejected(legacy, case):
    body = _sp_set(sp_extract(legacy), *SP_CASES[case])
    page = sp.parse_extract(body, since="0", next_since="40", has_more=True)
    assert len(page.rejected) == 1
    assert page.rejected[0].raw_payload.startswith("record_type,")


# --- whole-page faults are transient (retried), never quarantined ---


@pytest.mark.parametrize("source", ["uc", "pip", "esa", "sp"])
def test_a_cut_off_page_is_transient(legacy, source):
    body = FETCH[source](legacy)
    with pytest.raises(TransientSourceError):
        parse(source, body[: len(body) * 3 // 5])


def test_esa_trailer_that_miscounts_is_transient(legacy):
    with pytest.raises(TransientSourceError, match="trailer"):
        esa.parse_extract(esa_extract(legacy, fault="trailer"), from_seq=1)


def test_pip_record_count_that_disagrees_is_transient(legacy):
    body = pip_batch(legacy).decode()
    body = re.sub(r'recordCount="\d+"', 'recordCount="9999"', body, count=1).encode()
    with pytest.raises(TransientSourceError):
        pip.parse_batch(body, batch_id=1)


def test_sp_without_paging_headers_is_retried_then_given_up(legacy):
    from benefits.sources.base import HttpAnswer, LegacyHttpClient, SourceUnavailable

    http = LegacyHttpClient(legacy.url, attempts=2, sleep=lambda seconds: None)
    body = sp_extract(legacy)
    http._once = lambda path: HttpAnswer(body, {})
    with pytest.raises(SourceUnavailable, match="X-Next-Since"):
        sp.SpClient(http).read_page("0")
    assert http.retries == 1


# --- duplicates and out-of-order records ---


@pytest.mark.parametrize("source", ["uc", "pip", "esa", "sp"])
def test_a_duplicated_record_parses_and_is_kept_once(legacy, source):
    page = parse(source, FETCH[source](legacy, fault="duplicate"))
    latest, dropped = latest_per_customer(page.records)
    assert dropped == 1
    assert len(latest) == len(page.records) - 1


@pytest.mark.parametrize("source", ["uc", "pip", "esa", "sp"])
def test_out_of_order_keeps_each_customers_newest_version(legacy, source):
    legacy.advance(90)  # so customers have an older version to be served after the newer one
    paths = {
        "uc": "/uc/v1/changes?cursor=600&limit=200",
        "pip": "/pip/batches",
        "esa": "/esa/extracts?from_seq=601&max=200",
        "sp": "/sp/extracts?since=600&limit=200",
    }
    if source == "pip":
        last = re.findall(rb'id="(\d+)"', legacy.get(paths["pip"]))[-1].decode()
        body = legacy.get(f"/pip/batches/{int(last)}.xml", fault="out_of_order")
        page = pip.parse_batch(body, batch_id=int(last))
    elif source == "sp":
        body = legacy.get(paths["sp"], fault="out_of_order")
        page = sp.parse_extract(body, since="600", next_since="0", has_more=False)
    elif source == "esa":
        page = esa.parse_extract(legacy.get(paths["esa"], fault="out_of_order"), from_seq=601)
    else:
        page = uc.parse_changes(legacy.get(paths["uc"], fault="out_of_order"), position="600")
    assert page.records
    latest, _ = latest_per_customer(page.records)
    newest = {}
    for record in page.records:
        newest[record.nino] = max(newest.get(record.nino, 0), record.version)
    assert {r.nino: r.version for r in latest} == newest


def test_replaying_a_corrected_uc_payload_parses(legacy):
    page = uc.parse_changes(_uc_mutate(uc_page(legacy), UC_CASES["bad_date"]), position="0")
    raw = page.rejected[0].raw_payload.replace("-02-30", "-02-28")
    record = uc.UcClient().parse_replay(raw, "cursor 0 item 0")
    assert record.identity.date_of_birth.day == 28
    with pytest.raises(RecordError):
        uc.UcClient().parse_replay("{not json", "x")


@pytest.mark.parametrize("source", ["uc", "pip", "esa", "sp"])
def test_a_payment_dated_after_its_record_is_scheduled_not_paid(legacy, source):
    """Arrears decided and still to be paid travel in each system's payment list, dated after
    the moment the record was made: the portal holds them as scheduled, never paid."""
    from benefits.sources import client_for

    client, position, records = client_for(source), "", []
    while True:
        page = client.read_page(position)
        records.extend(page.records)
        position = page.next_position
        if not page.has_more:
            break
    assert records
    for record in records:
        for payment in record.payments:
            later = payment.payment_date > record.changed_at.date()
            assert payment.status == ("scheduled" if later else "paid"), (record.nino, payment)


def test_payment_status_compares_the_payment_day_with_the_day_it_was_recorded():
    from datetime import UTC, date, datetime

    from benefits.sources.base import payment_status

    recorded = datetime(2026, 12, 3, 23, 59, tzinfo=UTC)
    assert payment_status(date(2026, 12, 3), recorded_at=recorded) == "paid"
    assert payment_status(date(2026, 12, 2), recorded_at=recorded) == "paid"
    assert payment_status(date(2026, 12, 4), recorded_at=recorded) == "scheduled"
