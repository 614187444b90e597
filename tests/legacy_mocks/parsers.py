"""Strict consumers of the four wire formats, written from docs/legacy-systems.md, for the tests.

Each turns a page into (version, nino, canonical source) tuples and raises Malformed for a record
that a careful consumer would quarantine.
"""

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from datetime import date
from typing import Any

NINO = re.compile(r"[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\d{6}[A-D]")
NOT_ISSUED = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}
Parsed = tuple[int, str, dict[str, Any]]


class Malformed(ValueError):
    def __init__(self, version: int, kind: str, value: str):
        super().__init__(f"record {version}: {kind} {value!r}")
        self.version, self.kind = version, kind


def valid_nino(nino: str) -> bool:
    return bool(NINO.fullmatch(nino)) and nino[:2] not in NOT_ISSUED


def _check(version: int, nino: str, dates: list[str | None]) -> None:
    if not valid_nino(nino):
        raise Malformed(version, "invalid_nino", nino)
    for value in dates:
        if value is not None:
            try:
                date.fromisoformat(value)
            except ValueError:
                raise Malformed(version, "bad_date", value) from None


def _code(version: int, table: dict[str, Any], value: str) -> Any:
    if value not in table:
        raise Malformed(version, "unknown_code", value)
    return table[value]


# --- UC: JSON ---------------------------------------------------------------------------------
UC_REGIMES = {
    "intensive_work_search",
    "light_touch",
    "work_focused_interview",
    "work_preparation",
    "no_work_related_requirements",
}


def uc_claim(change: dict[str, Any]) -> Parsed:
    claim, version = change["claim"], change["version"]
    claimant, entitlement = claim["claimant"], claim["entitlement"]
    identity: dict[str, Any] = {
        "first_name": claimant["given_names"][0],
        "middle_names": claimant["given_names"][1:],
        "last_name": claimant["family_name"],
        "date_of_birth": claimant["date_of_birth"],
        "date_of_death": claimant["date_of_death"],
        "restricted": claimant["restricted"],
        "address": claimant["address"],
    }
    _check(version, claim["nino"], [identity["date_of_birth"], identity["date_of_death"]])
    regime = claim["claimant_commitment"]["conditionality_regime"]
    _code(version, {name: name for name in UC_REGIMES}, regime)
    source = {
        "version": version,
        "changed_at": change["changed_at"],
        "identity": identity,
        "claim_id": claim["claim_id"],
        "status": claim["status"],
        "start_date": claim["start_date"],
        "end_date": claim["end_date"],
        "household": claim["household"],
        "standard_allowance_pence": entitlement["standard_allowance_pence"],
        "assessment_period": claim["current_assessment_period"],
        "elements": entitlement["elements"],
        "deductions": entitlement["deductions"],
        "sanctions": entitlement["sanctions"],
        "claimant_commitment_date": claim["claimant_commitment"]["accepted_date"],
        "conditionality_regime": regime,
        "work_coach": claim["work_coach"]["name"],
        "support_needs": [
            {
                "code": need["need_code"],
                "details": need["details"],
                "recorded_date": need["recorded_on"],
            }
            for need in claim["additional_support"]
        ],
        "award_amount_pence": entitlement["award_amount_pence"],
        "payments": claim["payments"],
        "next_payment": claim["next_payment"],
    }
    return version, claim["nino"], source


def uc_page(body: bytes) -> tuple[list[Parsed | Malformed], str, bool]:
    page = json.loads(body)
    return (
        [_attempt(uc_claim, change, change["version"]) for change in page["changes"]],
        page["next_cursor"],
        page["has_more"],
    )


def _attempt(parse: Any, item: Any, version: int) -> Parsed | Malformed:
    try:
        return parse(item)
    except Malformed as error:
        return error


# --- PIP: XML ---------------------------------------------------------------------------------
PIP_STAGES = {
    "REG": "registration",
    "FORM": "form",
    "ASMT": "assessment",
    "DEC": "decision",
    "MR": "mandatory_reconsideration",
    "APPEAL": "appeal",
}
PIP_STATUS = {"PEND": "pending", "LIVE": "live", "CLSD": "closed"}
PIP_LEVELS = {"NONE": "none", "STD": "standard", "ENH": "enhanced"}
PIP_MR = {"NONE": "none", "REQ": "requested", "REV": "revised", "NREV": "not_revised"}
PIP_APPEAL = {
    "NONE": "none",
    "LODGED": "lodged",
    "LISTED": "hearing_listed",
    "ALLOWED": "allowed",
    "DISMISSED": "dismissed",
}
PIP_PAYMENT = {"REG": "regular", "ARR": "arrears"}


def _text(element: ET.Element, path: str) -> str | None:
    found = element.find(path)
    return found.text if found is not None and found.text else None


def pip_award(award: ET.Element) -> Parsed:
    version = int(award.get("seq", "0"))
    nino = _text(award, "Nino") or ""
    claimant, claim = award.find("Claimant"), award.find("Claim")
    assert claimant is not None
    assert claim is not None
    identity: dict[str, Any] = {
        "first_name": _text(claimant, "Forename"),
        "middle_names": (_text(claimant, "OtherForenames") or "").split(),
        "last_name": _text(claimant, "Surname"),
        "date_of_birth": _text(claimant, "BirthDate"),
        "date_of_death": _text(claimant, "DeathDate"),
        "restricted": claimant.get("restricted") == "Y",
        "address": {
            "line_1": _text(claimant, "Address/Line1"),
            "line_2": _text(claimant, "Address/Line2"),
            "town": _text(claimant, "Address/Town"),
            "postcode": _text(claimant, "Address/Postcode"),
        },
    }
    _check(version, nino, [identity["date_of_birth"], identity["date_of_death"]])
    daily, mobility = award.find("Components/DailyLiving"), award.find("Components/Mobility")
    assert daily is not None
    assert mobility is not None
    upcoming = award.find("NextPayment")
    source = {
        "version": version,
        "changed_at": award.get("changed"),
        "identity": identity,
        "claim_ref": _text(award, "ClaimRef"),
        "status": _code(version, PIP_STATUS, claim.get("status", "")),
        "start_date": _text(claim, "StartDate"),
        "end_date": _text(claim, "EndDate"),
        "claim_stage": _code(version, PIP_STAGES, claim.get("stage", "")),
        "assessment_provider": claim.get("provider"),
        "daily_living_level": _code(version, PIP_LEVELS, daily.get("level", "")),
        "mobility_level": _code(version, PIP_LEVELS, mobility.get("level", "")),
        "daily_living_weekly_pence": int(daily.get("weeklyPence", "")),
        "mobility_weekly_pence": int(mobility.get("weeklyPence", "")),
        "award_end_date": _text(claim, "AwardEndDate"),
        "review_date": _text(claim, "ReviewDate"),
        "mr_status": _code(version, PIP_MR, claim.get("mr", "")),
        "appeal_status": _code(version, PIP_APPEAL, claim.get("appeal", "")),
        "payments": [
            {
                "payment_date": item.get("date"),
                "amount_pence": int(item.get("amountPence", "")),
                "kind": PIP_PAYMENT[item.get("type", "")],
                "period_start": item.get("from"),
                "period_end": item.get("to"),
            }
            for item in award.iterfind("Payments/Payment")
        ],
        "next_payment": (
            {
                "payment_date": upcoming.get("date"),
                "amount_pence": int(upcoming.get("amountPence", "")),
            }
            if upcoming is not None and upcoming.get("date")
            else None
        ),
    }
    return version, nino, source


def pip_batch(body: bytes) -> list[Parsed | Malformed]:
    root = ET.fromstring(body)
    awards = root.findall("Award")
    assert int(root.get("recordCount", "-1")) == len(awards)
    return [_attempt(pip_award, award, int(award.get("seq", "0"))) for award in awards]


def pip_batch_ids(body: bytes) -> list[str]:
    return [batch.get("id", "") for batch in ET.fromstring(body).iterfind("Batch")]


# --- ESA: fixed width -------------------------------------------------------------------------
ESA_TYPES = {"C": "new_style", "I": "income_related"}
ESA_STATUS = {"L": "live", "C": "closed"}
ESA_PHASES = {"A": "assessment", "M": "main"}
ESA_GROUPS = {" ": None, "W": "wrag", "S": "support"}
ESA_OUTCOMES = {"P": "pending", "W": "wrag", "S": "support_group"}


class BadTrailer(ValueError):
    pass


def _ymd(value: str) -> str | None:
    value = value.strip()
    return f"{value[:4]}-{value[4:6]}-{value[6:8]}" if value else None


def _esa_customer(lines: list[str]) -> Parsed:
    person, award, payments = lines[0], lines[1], lines[2:]
    version, nino = int(person[0:12]), person[14:23].strip()
    assert person[12:14] == "01"
    assert award[12:14] == "02"
    changed = person[288:302]
    identity: dict[str, Any] = {
        "first_name": person[63:93].rstrip(),
        "middle_names": person[93:153].split(),
        "last_name": person[23:63].rstrip(),
        "date_of_birth": _ymd(person[153:161]),
        "date_of_death": _ymd(person[161:169]),
        "restricted": person[169] == "Y",
        "address": {
            "line_1": person[170:210].rstrip(),
            "line_2": person[210:250].rstrip() or None,
            "town": person[250:280].rstrip(),
            "postcode": person[280:288].rstrip(),
        },
    }
    _check(version, nino, [identity["date_of_birth"], identity["date_of_death"]])
    source: dict[str, Any] = {
        "version": version,
        "changed_at": f"{changed[:4]}-{changed[4:6]}-{changed[6:8]}T{changed[8:10]}:"
        f"{changed[10:12]}:{changed[12:14]}Z",
        "identity": identity,
        "esa_type": _code(version, ESA_TYPES, award[23]),
        "status": _code(version, ESA_STATUS, award[24]),
        "start_date": _ymd(award[36:44]),
        "end_date": _ymd(award[44:52]),
        "phase": _code(version, ESA_PHASES, award[25]),
        "group": _code(version, ESA_GROUPS, award[26]),
        "weekly_amount_pence": int(award[27:36]),
        "wca_referral_date": _ymd(award[52:60]),
        "wca_date": _ymd(award[60:68]),
        "wca_outcome": _code(version, ESA_OUTCOMES, award[68]),
        "time_limit_date": _ymd(award[69:77]),
        "migration_notice_date": _ymd(award[77:85]),
        "migration_deadline_date": _ymd(award[85:93]),
        "payments": [],
        "next_payment": None,
    }
    for line in payments:
        assert line[12:14] == "03"
        paid = {"payment_date": _ymd(line[24:32]), "amount_pence": int(line[32:41])}
        if line[23] == "N":
            source["next_payment"] = paid
        else:
            source["payments"].append(
                {
                    **paid,
                    "kind": {"R": "regular", "A": "arrears"}[line[23]],
                    "period_start": _ymd(line[41:49]),
                    "period_end": _ymd(line[49:57]),
                }
            )
    return version, nino, source


def esa_extract(body: bytes) -> tuple[list[Parsed | Malformed], int]:
    """The records and the next from_seq; BadTrailer if the trailer's count is wrong."""
    lines = body.decode("ascii").split("\n")
    assert lines[-1] == ""
    assert lines[0].startswith("HDR")
    assert lines[-2].startswith("TRL")
    details, trailer = lines[1:-2], lines[-2]
    if int(trailer[3:12]) != len(details):
        raise BadTrailer(f"trailer says {int(trailer[3:12])} records, found {len(details)}")
    groups: list[list[str]] = []
    for line in details:
        if line[12:14] == "01":
            groups.append([])
        groups[-1].append(line)
    return [_attempt(_esa_customer, group, int(group[0][:12])) for group in groups], int(
        trailer[12:24]
    )


# --- SP: CSV ----------------------------------------------------------------------------------
SP_TYPES = {"NSP": "new", "BSP": "basic"}
SP_STATUS = {"INPAY": "live", "CEASED": "closed"}
SP_DAYS = {
    "MON": "monday",
    "TUE": "tuesday",
    "WED": "wednesday",
    "THU": "thursday",
    "FRI": "friday",
}


def _dmy(value: str) -> str | None:
    return f"{value[6:10]}-{value[3:5]}-{value[0:2]}" if value else None


def _sp_award(rows: list[dict[str, str]]) -> Parsed:
    row, version = rows[0], int(rows[0]["seq"])
    identity: dict[str, Any] = {
        "first_name": row["forenames"],
        "middle_names": row["other_forenames"].split(),
        "last_name": row["surname"],
        "date_of_birth": _dmy(row["birth_date"]),
        "date_of_death": _dmy(row["death_date"]),
        "restricted": row["restricted"] == "Y",
        "address": {
            "line_1": row["address_line_1"],
            "line_2": row["address_line_2"] or None,
            "town": row["town"],
            "postcode": row["postcode"],
        },
    }
    _check(version, row["nino"], [identity["date_of_birth"], identity["date_of_death"]])
    source = {
        "version": version,
        "changed_at": row["changed_at"],
        "identity": identity,
        "pension_type": _code(version, SP_TYPES, row["pension_type"]),
        "status": _code(version, SP_STATUS, row["status"]),
        "start_date": _dmy(row["start_date"]),
        "end_date": _dmy(row["end_date"]),
        "sp_date": _dmy(row["sp_date"]),
        "qualifying_years": int(row["qualifying_years"]),
        "additional_pence": int(row["additional_pence"]),
        "deferral_weeks": int(row["deferral_weeks"]),
        "weekly_amount_pence": int(row["weekly_amount_pence"]),
        "payment_weekday": _code(version, SP_DAYS, row["payment_day"]),
        "payments": [
            {
                "payment_date": _dmy(item["payment_date"]),
                "amount_pence": int(item["payment_pence"]),
                "kind": item["payment_type"].lower(),
                "period_start": _dmy(item["period_start"]),
                "period_end": _dmy(item["period_end"]),
            }
            for item in rows[1:]
        ],
        "next_payment": (
            {
                "payment_date": _dmy(row["next_payment_date"]),
                "amount_pence": int(row["next_payment_pence"]),
            }
            if row["next_payment_date"]
            else None
        ),
    }
    return version, row["nino"], source


def sp_extract(body: bytes) -> list[Parsed | Malformed]:
    groups: list[list[dict[str, str]]] = []
    for row in csv.DictReader(io.StringIO(body.decode())):
        if row["record_type"] == "AWARD":
            groups.append([row])
        else:
            assert row["record_type"] == "PAYMENT"
            assert row["seq"] == groups[-1][0]["seq"]
            groups[-1].append(row)
    return [_attempt(_sp_award, group, int(group[0]["seq"])) for group in groups]
