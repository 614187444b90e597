"""PIPCS: XML batch exports, listed by GET /pip/batches?after=N and read one batch at a time."""

import xml.etree.ElementTree as ET

from benefits.sources.base import (
    HttpAnswer,
    Identity,
    LegacyHttpClient,
    ParsedPage,
    PaymentRecord,
    PipAward,
    RecordError,
    Rejected,
    SourceRecord,
    TransientSourceError,
    parse_code,
    parse_int,
    parse_iso_date,
    parse_moment,
    parse_nino,
    payment_reference,
    payment_status,
    version_or_none,
)

SOURCE = "pip"
STAGES = {
    "REG": "registration",
    "FORM": "form",
    "ASMT": "assessment",
    "DEC": "decision",
    "MR": "mandatory_reconsideration",
    "APPEAL": "appeal",
}
STATUSES = {"PEND": "pending", "LIVE": "live", "CLSD": "closed"}
LEVELS = {"NONE": "none", "STD": "standard", "ENH": "enhanced"}
MR = {"NONE": "none", "REQ": "requested", "REV": "revised", "NREV": "not_revised"}
APPEALS = {
    "NONE": "none",
    "LODGED": "lodged",
    "LISTED": "hearing_listed",
    "ALLOWED": "allowed",
    "DISMISSED": "dismissed",
}
PAYMENT_KINDS = {"REG": "regular", "ARR": "arrears"}
YES_NO = {"Y": True, "N": False}


def parse_batch_list(body: bytes) -> list[tuple[int, int]]:
    """[(batch id, record count)] in order; a list that is not whole XML is transient."""
    try:
        root = ET.fromstring(body)
        if root.tag != "PipcsBatches":
            raise ValueError(f"unexpected root {root.tag}")
        return [(int(b.get("id", "")), int(b.get("records", ""))) for b in root.iter("Batch")]
    except (ET.ParseError, ValueError) as error:
        raise TransientSourceError(f"PIP batch list is not whole: {error}") from error


def _raw_text(element: ET.Element) -> str:
    return ET.tostring(element, encoding="unicode")


def parse_batch(body: bytes, *, batch_id: int) -> ParsedPage:
    """Parse one batch file. Cut-off XML or a record count that disagrees is transient."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError as error:
        try:
            # An undecodable byte becomes U+FFFD and only its award is rejected (record_check);
            # a batch that is still not XML is cut off.
            root = ET.fromstring(body.decode("utf-8", errors="replace"))
        except ET.ParseError:
            raise TransientSourceError(f"PIP batch {batch_id} is not whole XML: {error}") from error
    awards = root.findall("Award")
    declared = root.get("recordCount")
    if root.tag != "PipcsExport" or declared is None or int(declared) != len(awards):
        raise TransientSourceError(
            f"PIP batch {batch_id} declares {declared} records but holds {len(awards)}"
        )
    parsed = ParsedPage([], [], str(batch_id), False, raw_items=len(awards))
    parsed.raw_text = _raw_text
    for number, element in enumerate(awards):
        where = f"batch {batch_id} award {number}"
        try:
            parsed.records.append(parse_award(element, position=where))
            parsed.originals[where] = element
        except RecordError as error:
            seq = element.get("seq")
            parsed.rejected.append(
                Rejected(
                    source=SOURCE,
                    position=where,
                    record_key=(element.findtext("Nino") or "")[:100],
                    version=version_or_none(seq),
                    raw_payload=_raw_text(element),
                    reason=str(error),
                )
            )
    return parsed


def parse_award(element: ET.Element, *, position: str) -> SourceRecord:
    try:
        return _parse_award(element, position)
    except (AttributeError, TypeError) as error:
        raise RecordError(f"missing element or attribute: {error}") from error


def _text(element: ET.Element, path: str) -> str:
    return (element.findtext(path) or "").strip()


def _parse_award(award: ET.Element, position: str) -> SourceRecord:
    version = parse_int(award.get("seq"), "seq")
    changed_at = parse_moment(award.get("changed") or "", "changed")
    nino = parse_nino(_text(award, "Nino"))
    claimant = award.find("Claimant")
    claim = award.find("Claim")
    components = award.find("Components")
    if claimant is None or claim is None or components is None:
        raise RecordError("award lacks Claimant, Claim or Components")
    if not _text(claimant, "Forename") or not _text(claimant, "Surname"):
        raise RecordError("claimant has no forename or surname")
    identity = Identity(
        first_name=_text(claimant, "Forename"),
        middle_names=_text(claimant, "OtherForenames"),
        last_name=_text(claimant, "Surname"),
        date_of_birth=parse_iso_date(_text(claimant, "BirthDate"), "BirthDate"),
        date_of_death=parse_iso_date(_text(claimant, "DeathDate"), "DeathDate"),
        restricted=parse_code(claimant.get("restricted"), YES_NO, "restricted"),
        address_line_1=_text(claimant, "Address/Line1"),
        address_line_2=_text(claimant, "Address/Line2"),
        town=_text(claimant, "Address/Town"),
        postcode=_text(claimant, "Address/Postcode"),
    )
    daily, mobility = components.find("DailyLiving"), components.find("Mobility")
    if daily is None or mobility is None:
        raise RecordError("award lacks a DailyLiving or Mobility component")
    claim_ref = _text(award, "ClaimRef")
    if not claim_ref:
        raise RecordError("award has no ClaimRef")
    record = PipAward(
        claim_reference=claim_ref,
        status=parse_code(claim.get("status"), STATUSES, "claim status"),
        claim_stage=parse_code(claim.get("stage"), STAGES, "claim stage"),
        daily_living_rate=parse_code(daily.get("level"), LEVELS, "daily living level"),
        mobility_rate=parse_code(mobility.get("level"), LEVELS, "mobility level"),
        daily_living_weekly_pence=parse_int(daily.get("weeklyPence"), "daily living pence"),
        mobility_weekly_pence=parse_int(mobility.get("weeklyPence"), "mobility pence"),
        award_start=parse_iso_date(_text(claim, "StartDate"), "StartDate"),
        end_date=parse_iso_date(_text(claim, "EndDate"), "EndDate"),
        award_end=parse_iso_date(_text(claim, "AwardEndDate"), "AwardEndDate"),
        review_date=parse_iso_date(_text(claim, "ReviewDate"), "ReviewDate"),
        assessment_provider=claim.get("provider") or "",
        mr_status=parse_code(claim.get("mr"), MR, "mandatory reconsideration status"),
        appeal_status=parse_code(claim.get("appeal"), APPEALS, "appeal status"),
    )
    payments = []
    for item in award.findall("Payments/Payment"):
        paid_on = parse_iso_date(item.get("date"), "payment date")
        if paid_on is None:
            raise RecordError("payment without a date")
        kind = parse_code(item.get("type"), PAYMENT_KINDS, "payment type")
        payments.append(
            PaymentRecord(
                reference=payment_reference(SOURCE, claim_ref, paid_on, kind),
                payment_date=paid_on,
                amount_pence=parse_int(item.get("amountPence"), "payment amount"),
                kind=kind,
                status=payment_status(paid_on, recorded_at=changed_at),
                period_start=parse_iso_date(item.get("from"), "payment from"),
                period_end=parse_iso_date(item.get("to"), "payment to"),
            )
        )
    upcoming = award.find("NextPayment")
    if upcoming is not None and upcoming.get("date"):
        paid_on = parse_iso_date(upcoming.get("date"), "next payment date")
        assert paid_on is not None
        payments.append(
            PaymentRecord(
                reference=payment_reference(SOURCE, claim_ref, paid_on, "regular"),
                payment_date=paid_on,
                amount_pence=parse_int(upcoming.get("amountPence"), "next payment amount"),
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
        award=record,
        payments=tuple(payments),
        position=position,
    )


class PipClient:
    """Position = the last batch id fully processed; each page is the next batch."""

    source = SOURCE

    def __init__(self, http: LegacyHttpClient | None = None, *, page_size: int = 0):
        self.http = http or LegacyHttpClient()

    def read_page(self, position: str) -> ParsedPage:
        after = int(position or 0)
        batches = self.http.fetch_parsed(
            f"/pip/batches?after={after}", lambda answer: parse_batch_list(answer.body)
        )
        if not batches:
            return ParsedPage([], [], str(after), False, expected_records=0)
        batch_id = batches[0][0]

        def parse(answer: HttpAnswer) -> ParsedPage:
            return parse_batch(answer.body, batch_id=batch_id)

        page = self.http.fetch_parsed(f"/pip/batches/{batch_id}.xml", parse)
        page.has_more = len(batches) > 1
        page.expected_records = sum(count for _, count in batches[1:])
        return page

    def parse_replay(self, raw_payload: str, position: str) -> SourceRecord:
        return parse_award(_payload_element(raw_payload), position=position)


def _payload_element(raw_payload: str) -> ET.Element:
    try:
        return ET.fromstring(raw_payload)
    except ET.ParseError as error:
        raise RecordError(f"the corrected payload is not XML: {error}") from error


def payload_restricted(raw_payload: str) -> bool | None:
    """Whether a quarantined Award element marks its claimant as restricted; None when it is
    too damaged to say."""
    try:
        claimant = _payload_element(raw_payload).find("Claimant")
    except RecordError:
        return None
    return YES_NO.get(claimant.get("restricted") or "") if claimant is not None else None
