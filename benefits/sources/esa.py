"""JSAPS: fixed-width ESA extracts (header, 01 identity / 02 award / 03 payment lines, trailer).

GET /esa/extracts?from_seq=N&max=M. Every line is 320 characters; the trailer counts the detail
lines and gives the next sequence to ask for. A customer is an 01 line and the 02/03 lines after
it with the same sequence number and NINO.
"""

from benefits.sources.base import (
    EsaAward,
    HttpAnswer,
    Identity,
    LegacyHttpClient,
    ParsedPage,
    PaymentRecord,
    RecordError,
    Rejected,
    SourceRecord,
    TransientSourceError,
    parse_code,
    parse_compact_date,
    parse_int,
    parse_moment,
    parse_nino,
    payment_reference,
    payment_status,
    version_or_none,
)

SOURCE = "esa"
RECORD_LENGTH = 320
HEADER = (("record_type", 3), ("extract_date", 8), ("first_seq", 12), ("system_id", 8))
IDENTITY = (
    ("seq", 12), ("record_type", 2), ("nino", 9), ("surname", 40), ("forename", 30),
    ("other_forenames", 60), ("birth_date", 8), ("death_date", 8), ("restricted", 1),
    ("address_line_1", 40), ("address_line_2", 40), ("town", 30), ("postcode", 8),
    ("changed", 14),
)  # fmt: skip
AWARD = (
    ("seq", 12), ("record_type", 2), ("nino", 9), ("esa_type", 1), ("status", 1),
    ("phase", 1), ("group", 1), ("weekly_pence", 9), ("start_date", 8), ("end_date", 8),
    ("wca_referral_date", 8), ("wca_date", 8), ("wca_outcome", 1), ("time_limit_date", 8),
    ("migration_notice_date", 8), ("migration_deadline_date", 8),
)  # fmt: skip
PAYMENT = (
    ("seq", 12), ("record_type", 2), ("nino", 9), ("payment_type", 1), ("payment_date", 8),
    ("amount_pence", 9), ("period_start", 8), ("period_end", 8),
)  # fmt: skip
TRAILER = (("record_type", 3), ("record_count", 9), ("next_seq", 12))

ESA_TYPES = {"C": "new_style", "I": "income_related"}
STATUSES = {"L": "live", "C": "closed"}
PHASES = {"A": "assessment", "M": "main"}
GROUPS = {" ": "", "W": "wrag", "S": "support"}
WCA_OUTCOMES = {"P": "pending", "W": "wrag", "S": "support_group"}
PAYMENT_TYPES = {"R": "regular", "A": "arrears", "N": "next"}
YES_NO = {"Y": True, "N": False}


def _fields(line: str, layout: tuple[tuple[str, int], ...]) -> dict[str, str]:
    values, start = {}, 0
    for name, width in layout:
        values[name] = line[start : start + width]
        start += width
    return values


def _raw_text(group: list[str]) -> str:
    return "\n".join(line.rstrip() for line in group)


def parse_extract(body: bytes, *, from_seq: int) -> ParsedPage:
    """Parse one extract. A cut-off extract or a trailer that disagrees is transient."""
    # A byte beyond ASCII stays in its record (as a surrogate, one character per byte so the
    # fixed widths hold) and that record alone is rejected.
    text = body.decode("ascii", errors="surrogateescape")
    if not text.endswith("\n"):
        raise TransientSourceError(f"ESA extract from {from_seq} is cut off (no final newline)")
    lines = text[:-1].split("\n")
    if any(len(line) != RECORD_LENGTH for line in lines):
        raise TransientSourceError(f"ESA extract from {from_seq} has a short line (cut off)")
    if len(lines) < 2 or not lines[0].startswith("HDR") or not lines[-1].startswith("TRL"):
        raise TransientSourceError(f"ESA extract from {from_seq} lacks its header or trailer")
    trailer = _fields(lines[-1], TRAILER)
    details = lines[1:-1]
    try:
        declared, next_seq = int(trailer["record_count"]), int(trailer["next_seq"])
    except ValueError as error:
        raise TransientSourceError(f"ESA trailer is unreadable: {error}") from error
    if declared != len(details):
        raise TransientSourceError(
            f"ESA trailer counts {declared} records but the extract holds {len(details)}"
        )
    groups: list[list[str]] = []
    for line in details:
        if line[12:14] == "01" or not groups:
            groups.append([line])
        else:
            groups[-1].append(line)
    parsed = ParsedPage([], [], str(next_seq), False, raw_items=len(groups))
    parsed.raw_text = _raw_text
    distinct = set()
    for number, group in enumerate(groups):
        seq_text = group[0][:12]
        distinct.add(seq_text)
        where = f"from_seq {from_seq} customer {number} (seq {seq_text.lstrip('0')})"
        try:
            parsed.records.append(parse_customer(group, position=where))
            parsed.originals[where] = group
        except RecordError as error:
            parsed.rejected.append(
                Rejected(
                    source=SOURCE,
                    position=where,
                    record_key=group[0][14:23].strip(),
                    version=version_or_none(seq_text),
                    raw_payload=_raw_text(group),
                    reason=str(error),
                )
            )
    parsed.has_more = next_seq > from_seq and bool(groups)
    return parsed


def parse_customer(lines: list[str], *, position: str) -> SourceRecord:
    """One customer's 01, 02 and 03 lines -> SourceRecord (RecordError if untrustworthy)."""
    lines = [line.ljust(RECORD_LENGTH) for line in lines]
    first = _fields(lines[0], IDENTITY)
    if first["record_type"] != "01":
        raise RecordError("a customer must start with an 01 identity line")
    seq, nino_text = first["seq"], first["nino"]
    version = parse_int(seq, "sequence number")
    nino = parse_nino(nino_text)
    awards = [line for line in lines[1:] if line[12:14] == "02"]
    payments_lines = [line for line in lines[1:] if line[12:14] == "03"]
    if len(awards) != 1 or len(awards) + len(payments_lines) != len(lines) - 1:
        raise RecordError("a customer needs exactly one 02 award line and only 03 lines besides")
    if any(line[:12] != seq or line[14:23] != nino_text for line in lines[1:]):
        raise RecordError("award or payment line belongs to another sequence or NINO")
    changed = first["changed"].strip()
    if len(changed) != 14 or not changed.isdigit():
        raise RecordError(f"changed is not a YYYYMMDDHHMMSS timestamp: {changed!r}")
    changed_at = parse_moment(
        f"{changed[:4]}-{changed[4:6]}-{changed[6:8]}T{changed[8:10]}:{changed[10:12]}:"
        f"{changed[12:]}Z"
    )
    if not first["forename"].strip() or not first["surname"].strip():
        raise RecordError("identity line has no forename or surname")
    identity = Identity(
        first_name=first["forename"].strip(),
        middle_names=first["other_forenames"].strip(),
        last_name=first["surname"].strip(),
        date_of_birth=parse_compact_date(first["birth_date"], "birth date"),
        date_of_death=parse_compact_date(first["death_date"], "death date"),
        restricted=parse_code(first["restricted"], YES_NO, "restricted flag"),
        address_line_1=first["address_line_1"].strip(),
        address_line_2=first["address_line_2"].strip(),
        town=first["town"].strip(),
        postcode=first["postcode"].strip(),
    )
    fields = _fields(awards[0], AWARD)
    award = EsaAward(
        claim_reference=nino,  # JSAPS keys claims by NINO
        status=parse_code(fields["status"], STATUSES, "status"),
        esa_type=parse_code(fields["esa_type"], ESA_TYPES, "ESA type"),
        phase=parse_code(fields["phase"], PHASES, "phase"),
        group=parse_code(fields["group"], GROUPS, "group"),
        weekly_rate_pence=parse_int(fields["weekly_pence"], "weekly amount"),
        claim_start=parse_compact_date(fields["start_date"], "start date"),
        end_date=parse_compact_date(fields["end_date"], "end date"),
        wca_referral_date=parse_compact_date(fields["wca_referral_date"], "WCA referral date"),
        wca_date=parse_compact_date(fields["wca_date"], "WCA date"),
        wca_outcome=parse_code(fields["wca_outcome"], WCA_OUTCOMES, "WCA outcome"),
        time_limit_date=parse_compact_date(fields["time_limit_date"], "time limit date"),
        migration_notice_date=parse_compact_date(fields["migration_notice_date"], "notice date"),
        migration_deadline_date=parse_compact_date(
            fields["migration_deadline_date"], "deadline date"
        ),
    )
    payments = []
    for line in payments_lines:
        item = _fields(line, PAYMENT)
        kind = parse_code(item["payment_type"], PAYMENT_TYPES, "payment type")
        paid_on = parse_compact_date(item["payment_date"], "payment date")
        if paid_on is None:
            raise RecordError("payment line without a date")
        scheduled = kind == "next"
        kind = "regular" if scheduled else kind
        payments.append(
            PaymentRecord(
                reference=payment_reference(SOURCE, nino, paid_on, kind),
                payment_date=paid_on,
                amount_pence=parse_int(item["amount_pence"], "payment amount"),
                kind=kind,
                status="scheduled"
                if scheduled
                else payment_status(paid_on, recorded_at=changed_at),
                period_start=parse_compact_date(item["period_start"], "payment period start"),
                period_end=parse_compact_date(item["period_end"], "payment period end"),
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


class EsaClient:
    """Position = the next sequence number to ask for."""

    source = SOURCE

    def __init__(self, http: LegacyHttpClient | None = None, *, page_size: int = 1000):
        self.http = http or LegacyHttpClient()
        self.page_size = page_size

    def read_page(self, position: str) -> ParsedPage:
        from_seq = int(position or 1)

        def parse(answer: HttpAnswer) -> ParsedPage:
            return parse_extract(answer.body, from_seq=from_seq)

        page = self.http.fetch_parsed(
            f"/esa/extracts?from_seq={from_seq}&max={self.page_size}", parse
        )
        # A short extract means the end was reached; a full one may have more behind it.
        distinct = {record.version for record in page.records} | {r.version for r in page.rejected}
        page.has_more = page.has_more and len(distinct) >= self.page_size
        return page

    def parse_replay(self, raw_payload: str, position: str) -> SourceRecord:
        return parse_customer(_payload_lines(raw_payload), position=position)


def _payload_lines(raw_payload: str) -> list[str]:
    lines = [line for line in raw_payload.replace("\r\n", "\n").split("\n") if line.strip()]
    if not lines:
        raise RecordError("the corrected payload is empty")
    return lines


def payload_restricted(raw_payload: str) -> bool | None:
    """Whether a quarantined customer's 01 line marks them as restricted; None when it is too
    damaged to say."""
    try:
        first = _fields(_payload_lines(raw_payload)[0].ljust(RECORD_LENGTH), IDENTITY)
    except RecordError:
        return None
    return YES_NO.get(first["restricted"]) if first["record_type"] == "01" else None
