"""PSCS: State Pension CSV extracts — an AWARD row per record, then its PAYMENT rows.

GET /sp/extracts?since=N&limit=M; the next position and whether more remain come back in the
X-Next-Since and X-Has-More headers. Dates are DD/MM/YYYY.
"""

import csv
import io

from benefits.sources.base import (
    HttpAnswer,
    Identity,
    LegacyHttpClient,
    ParsedPage,
    PaymentRecord,
    RecordError,
    Rejected,
    SourceRecord,
    StatePensionAward,
    TransientSourceError,
    parse_british_date,
    parse_code,
    parse_int,
    parse_moment,
    parse_nino,
    payment_reference,
    payment_status,
    version_or_none,
)

SOURCE = "sp"
COLUMNS = (
    "record_type", "seq", "changed_at", "nino", "surname", "forenames", "other_forenames",
    "birth_date", "death_date", "restricted", "address_line_1", "address_line_2", "town",
    "postcode", "status", "pension_type", "sp_date", "start_date", "end_date",
    "qualifying_years", "additional_pence", "deferral_weeks", "weekly_amount_pence",
    "payment_day", "next_payment_date", "next_payment_pence", "payment_date", "payment_pence",
    "payment_type", "period_start", "period_end",
)  # fmt: skip
PENSION_TYPES = {"NSP": "new", "BSP": "basic"}
STATUSES = {"INPAY": "live", "CEASED": "closed"}
PAYMENT_TYPES = {"REGULAR": "regular", "ARREARS": "arrears"}
PAYMENT_DAYS = {"MON": "monday", "TUE": "tuesday", "WED": "wednesday", "THU": "thursday",
                "FRI": "friday"}  # fmt: skip
YES_NO = {"Y": True, "N": False}


def _csv_text(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def _raw_text(group: list[list[str]]) -> str:
    return _csv_text([list(COLUMNS), *group])


def parse_extract(body: bytes, *, since: str, next_since: str, has_more: bool) -> ParsedPage:
    """Parse one extract. A cut-off file (a short row, no final line end) is transient."""
    # An undecodable byte stays in its record (as a surrogate) and that record alone is
    # rejected; a cut-off multi-byte character also lacks the final line end below.
    text = body.decode("utf-8", errors="surrogateescape")
    if not text.endswith("\r\n"):
        raise TransientSourceError(f"SP extract since {since} is cut off (no final line end)")
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise TransientSourceError(f"SP extract since {since} is not whole CSV: {error}") from error
    if not rows or tuple(rows[0]) != COLUMNS:
        raise TransientSourceError(f"SP extract since {since} has an unexpected header")
    if any(len(row) != len(COLUMNS) for row in rows[1:]):
        raise TransientSourceError(f"SP extract since {since} has a short row (cut off)")
    groups: list[list[list[str]]] = []
    for row in rows[1:]:
        if row[0] == "AWARD" or not groups:
            groups.append([row])
        else:
            groups[-1].append(row)
    parsed = ParsedPage([], [], next_since, has_more, raw_items=len(groups))
    parsed.raw_text = _raw_text
    for number, group in enumerate(groups):
        where = f"since {since} row group {number} (seq {group[0][1]})"
        try:
            parsed.records.append(parse_rows(group, position=where))
            parsed.originals[where] = group
        except RecordError as error:
            parsed.rejected.append(
                Rejected(
                    source=SOURCE,
                    position=where,
                    record_key=group[0][3][:100],
                    version=version_or_none(group[0][1]),
                    raw_payload=_raw_text(group),
                    reason=str(error),
                )
            )
    return parsed


def parse_rows(rows: list[list[str]], *, position: str) -> SourceRecord:
    """An AWARD row and its PAYMENT rows -> SourceRecord (RecordError if untrustworthy)."""
    records = [dict(zip(COLUMNS, row, strict=True)) for row in rows]
    head = records[0]
    if head["record_type"] != "AWARD":
        raise RecordError("a record must start with an AWARD row")
    if any(r["record_type"] != "PAYMENT" for r in records[1:]):
        raise RecordError("only PAYMENT rows may follow an AWARD row")
    if any(r["seq"] != head["seq"] or r["nino"] != head["nino"] for r in records[1:]):
        raise RecordError("a PAYMENT row belongs to another sequence or NINO")
    version = parse_int(head["seq"], "seq")
    changed_at = parse_moment(head["changed_at"])
    nino = parse_nino(head["nino"])
    if not head["forenames"] or not head["surname"]:
        raise RecordError("award row has no forenames or surname")
    identity = Identity(
        first_name=head["forenames"],
        middle_names=head["other_forenames"],
        last_name=head["surname"],
        date_of_birth=parse_british_date(head["birth_date"], "birth date"),
        date_of_death=parse_british_date(head["death_date"], "death date"),
        restricted=parse_code(head["restricted"], YES_NO, "restricted flag"),
        address_line_1=head["address_line_1"],
        address_line_2=head["address_line_2"],
        town=head["town"],
        postcode=head["postcode"],
    )
    award = StatePensionAward(
        pension_type=parse_code(head["pension_type"], PENSION_TYPES, "pension type"),
        status=parse_code(head["status"], STATUSES, "status"),
        weekly_amount_pence=parse_int(head["weekly_amount_pence"], "weekly amount"),
        additional_pence=parse_int(head["additional_pence"] or 0, "additional pension"),
        qualifying_years=parse_int(head["qualifying_years"], "qualifying years"),
        state_pension_date=parse_british_date(head["sp_date"], "State Pension date"),
        start_date=parse_british_date(head["start_date"], "start date"),
        end_date=parse_british_date(head["end_date"], "end date"),
        payment_day=parse_code(head["payment_day"], PAYMENT_DAYS, "payment day"),
        deferral_weeks=parse_int(head["deferral_weeks"] or 0, "deferral weeks"),
    )
    payments = []
    for row in records[1:]:
        paid_on = parse_british_date(row["payment_date"], "payment date")
        if paid_on is None:
            raise RecordError("PAYMENT row without a date")
        kind = parse_code(row["payment_type"], PAYMENT_TYPES, "payment type")
        payments.append(
            PaymentRecord(
                reference=payment_reference(SOURCE, nino, paid_on, kind),
                payment_date=paid_on,
                amount_pence=parse_int(row["payment_pence"], "payment amount"),
                kind=kind,
                status=payment_status(paid_on, recorded_at=changed_at),
                period_start=parse_british_date(row["period_start"], "period start"),
                period_end=parse_british_date(row["period_end"], "period end"),
            )
        )
    upcoming = parse_british_date(head["next_payment_date"], "next payment date")
    if upcoming is not None:
        payments.append(
            PaymentRecord(
                reference=payment_reference(SOURCE, nino, upcoming, "regular"),
                payment_date=upcoming,
                amount_pence=parse_int(head["next_payment_pence"], "next payment amount"),
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


class SpClient:
    """Position = the `since` sequence number the next extract starts after."""

    source = SOURCE

    def __init__(self, http: LegacyHttpClient | None = None, *, page_size: int = 1000):
        self.http = http or LegacyHttpClient()
        self.page_size = page_size

    def read_page(self, position: str) -> ParsedPage:
        since = position or "0"

        def parse(answer: HttpAnswer) -> ParsedPage:
            next_since = answer.headers.get("x-next-since")
            more = answer.headers.get("x-has-more")
            if not next_since or more not in ("true", "false"):
                raise TransientSourceError("SP extract lacks X-Next-Since / X-Has-More")
            return parse_extract(
                answer.body, since=since, next_since=next_since, has_more=more == "true"
            )

        return self.http.fetch_parsed(f"/sp/extracts?since={since}&limit={self.page_size}", parse)

    def parse_replay(self, raw_payload: str, position: str) -> SourceRecord:
        return parse_rows(_payload_rows(raw_payload), position=position)


def _payload_rows(raw_payload: str) -> list[list[str]]:
    try:
        rows = list(csv.reader(io.StringIO(raw_payload.strip() + "\r\n", newline="")))
    except csv.Error as error:
        raise RecordError(f"the corrected payload is not CSV: {error}") from error
    if rows and tuple(rows[0]) == COLUMNS:
        rows = rows[1:]
    if not rows or any(len(row) != len(COLUMNS) for row in rows):
        raise RecordError(f"each corrected row needs {len(COLUMNS)} columns")
    return rows


def payload_restricted(raw_payload: str) -> bool | None:
    """Whether a quarantined AWARD row marks its customer as restricted; None when the rows are
    too damaged to say."""
    try:
        head = dict(zip(COLUMNS, _payload_rows(raw_payload)[0], strict=True))
    except RecordError:
        return None
    return YES_NO.get(head["restricted"])
