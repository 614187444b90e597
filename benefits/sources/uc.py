"""Universal Credit service: a JSON change feed read with an opaque cursor."""

import json
from datetime import date
from typing import Any

from benefits.sources.base import (
    HttpAnswer,
    Identity,
    LegacyHttpClient,
    ParsedPage,
    PaymentRecord,
    RecordError,
    Rejected,
    SourceRecord,
    TransientSourceError,
    UcAward,
    parse_code,
    parse_int,
    parse_iso_date,
    parse_moment,
    parse_nino,
    payment_reference,
    payment_status,
)

SOURCE = "uc"
STATUSES = {"live": "live", "closed": "closed"}
HOUSEHOLDS = {"single": "single", "couple": "couple"}
CONDITIONALITY_REGIMES = {
    code: code
    for code in (
        "intensive_work_search",
        "light_touch",
        "work_focused_interview",
        "work_preparation",
        "no_work_related_requirements",
    )
}
PAYMENT_KINDS = {"regular": "regular", "arrears": "arrears"}


def _raw_text(change: Any) -> str:
    return json.dumps(change, indent=1, sort_keys=True)


def parse_changes(body: bytes, *, position: str) -> ParsedPage:
    """Parse one page of /uc/v1/changes. A page that is not whole JSON is transient."""
    try:
        # An undecodable byte stays in its record (as a surrogate): that record alone is rejected.
        page = json.loads(body.decode("utf-8", errors="surrogateescape"))
        changes = page["changes"]
        next_cursor = str(page["next_cursor"])
        has_more = bool(page["has_more"])
        if not isinstance(changes, list):
            raise TypeError("changes is not a list")
    except (ValueError, KeyError, TypeError) as error:
        raise TransientSourceError(
            f"UC page at cursor {position!r} is not whole: {error}"
        ) from error
    parsed = ParsedPage([], [], next_cursor, has_more, raw_items=len(changes))
    parsed.raw_text = _raw_text
    for number, change in enumerate(changes):
        where = f"cursor {position or '0'} item {number}"
        try:
            parsed.records.append(parse_change(change, position=where))
            parsed.originals[where] = change
        except RecordError as error:
            claim = change.get("claim") if isinstance(change, dict) else None
            parsed.rejected.append(
                Rejected(
                    source=SOURCE,
                    position=where,
                    record_key=str((claim or {}).get("nino", ""))[:100],
                    version=_maybe_int(change.get("version") if isinstance(change, dict) else None),
                    raw_payload=_raw_text(change),
                    reason=str(error),
                )
            )
    return parsed


def parse_change(change: Any, *, position: str) -> SourceRecord:
    """One feed item {version, changed_at, claim} -> SourceRecord (RecordError if untrustworthy)."""
    try:
        return _parse_change(change, position)
    except (KeyError, TypeError, AttributeError) as error:
        raise RecordError(f"missing or malformed field: {error}") from error


def _parse_change(change: dict[str, Any], position: str) -> SourceRecord:
    version = parse_int(change["version"], "version")
    changed_at = parse_moment(change["changed_at"])
    claim = change["claim"]
    nino = parse_nino(claim["nino"])
    claimant = claim["claimant"]
    given = [str(name) for name in claimant["given_names"]]
    if not given or not given[0] or not claimant["family_name"]:
        raise RecordError("claimant has no given or family name")
    address = claimant["address"] or {}
    identity = Identity(
        first_name=given[0],
        middle_names=" ".join(given[1:]),
        last_name=str(claimant["family_name"]),
        date_of_birth=parse_iso_date(claimant["date_of_birth"], "date of birth"),
        date_of_death=parse_iso_date(claimant.get("date_of_death"), "date of death"),
        restricted=bool(claimant.get("restricted", False)),
        address_line_1=address.get("line_1") or "",
        address_line_2=address.get("line_2") or "",
        town=address.get("town") or "",
        postcode=address.get("postcode") or "",
    )
    claim_id = str(claim["claim_id"])
    entitlement = claim["entitlement"]
    period = claim.get("current_assessment_period") or {}
    commitment = claim.get("claimant_commitment") or {}
    upcoming = claim.get("next_payment") or {}
    award = UcAward(
        claim_id=claim_id,
        status=parse_code(claim["status"], STATUSES, "claim status"),
        start_date=parse_iso_date(claim["start_date"], "start date"),
        end_date=parse_iso_date(claim.get("end_date"), "end date"),
        household=parse_code(claim["household"], HOUSEHOLDS, "household"),
        assessment_period_start=parse_iso_date(period.get("start_date"), "assessment period"),
        assessment_period_end=parse_iso_date(period.get("end_date"), "assessment period"),
        next_payment_date=parse_iso_date(upcoming.get("payment_date"), "next payment date"),
        next_payment_pence=(
            parse_int(upcoming["amount_pence"], "next payment") if upcoming else None
        ),
        standard_allowance_pence=parse_int(
            entitlement["standard_allowance_pence"], "standard allowance"
        ),
        award_amount_pence=parse_int(entitlement["award_amount_pence"], "award amount"),
        elements=[
            {
                "type": str(item["kind"]).upper(),
                "amount_pence": parse_int(item["amount_pence"], "element"),
            }
            for item in entitlement["elements"]
        ],
        deductions=[
            {
                "type": str(item["kind"]).upper(),
                "amount_pence": parse_int(item["amount_pence"], "deduction"),
            }
            for item in entitlement["deductions"]
        ],
        sanctions=[
            {
                "level": str(item["level"]),
                "start_date": _iso(parse_iso_date(item["start_date"], "sanction start")),
                "end_date": _iso(parse_iso_date(item["end_date"], "sanction end")),
                "daily_rate_pence": parse_int(item["daily_rate_pence"], "sanction rate"),
            }
            for item in entitlement["sanctions"]
        ],
        conditionality_regime=parse_code(
            commitment.get("conditionality_regime"), CONDITIONALITY_REGIMES, "conditionality regime"
        ),
        work_coach=str((claim.get("work_coach") or {}).get("name") or ""),
        claimant_commitment_date=parse_iso_date(commitment.get("accepted_date"), "commitment date"),
        support_needs=[
            {
                "code": str(need["need_code"]),
                "details": str(need.get("details") or ""),
                "recorded_date": _iso(parse_iso_date(need["recorded_on"], "need recorded date")),
            }
            for need in claim.get("additional_support") or []
        ],
    )
    payments = []
    for item in claim.get("payments") or []:
        paid_on = parse_iso_date(item["payment_date"], "payment date")
        kind = parse_code(item["kind"], PAYMENT_KINDS, "payment kind")
        assert paid_on is not None
        payments.append(
            PaymentRecord(
                reference=payment_reference(SOURCE, claim_id, paid_on, kind),
                payment_date=paid_on,
                amount_pence=parse_int(item["amount_pence"], "payment amount"),
                kind=kind,
                status=payment_status(paid_on, recorded_at=changed_at),
                period_start=parse_iso_date(item.get("period_start"), "payment period"),
                period_end=parse_iso_date(item.get("period_end"), "payment period"),
            )
        )
    if award.next_payment_date is not None and award.next_payment_pence is not None:
        payments.append(
            PaymentRecord(
                reference=payment_reference(SOURCE, claim_id, award.next_payment_date, "regular"),
                payment_date=award.next_payment_date,
                amount_pence=award.next_payment_pence,
                kind="regular",
                status="scheduled",
            )
        )
    return SourceRecord(
        source=SOURCE,
        version=version,
        changed_at=changed_at,
        nino=nino,
        identity=identity,
        award=award,
        payments=tuple(payments),
        position=position,
    )


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _maybe_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class UcClient:
    """Reads the change feed: GET /uc/v1/changes?cursor=C&limit=N."""

    source = SOURCE

    def __init__(self, http: LegacyHttpClient | None = None, *, page_size: int = 1000):
        self.http = http or LegacyHttpClient()
        self.page_size = page_size

    def read_page(self, position: str) -> ParsedPage:
        cursor = position or "0"
        path = f"/uc/v1/changes?cursor={cursor}&limit={self.page_size}"

        def parse(answer: HttpAnswer) -> ParsedPage:
            return parse_changes(answer.body, position=cursor)

        return self.http.fetch_parsed(path, parse)

    def parse_replay(self, raw_payload: str, position: str) -> SourceRecord:
        """A quarantined (and perhaps corrected) feed item, parsed again."""
        return parse_change(_payload_item(raw_payload), position=position)


def _payload_item(raw_payload: str) -> Any:
    try:
        return json.loads(raw_payload)
    except ValueError as error:
        raise RecordError(f"the corrected payload is not JSON: {error}") from error


def payload_restricted(raw_payload: str) -> bool | None:
    """Whether a quarantined feed item marks its customer as restricted (as parse_change reads
    the flag); None when the item is too damaged to say."""
    try:
        claimant = _payload_item(raw_payload)["claim"]["claimant"]
        return bool(claimant.get("restricted", False))
    except (RecordError, KeyError, TypeError, AttributeError):
        return None
