"""PIPCS: XML batch exports of award and claim records, and the list of batches."""

from xml.sax.saxutils import escape, quoteattr

from legacy_mocks.world import FeedRecord, PipBatch

STAGE_CODES = {
    "registration": "REG",
    "form": "FORM",
    "assessment": "ASMT",
    "decision": "DEC",
    "mandatory_reconsideration": "MR",
    "appeal": "APPEAL",
}
STATUS_CODES = {"pending": "PEND", "live": "LIVE", "closed": "CLSD"}
LEVEL_CODES = {"none": "NONE", "standard": "STD", "enhanced": "ENH"}
MR_CODES = {"none": "NONE", "requested": "REQ", "revised": "REV", "not_revised": "NREV"}
APPEAL_CODES = {
    "none": "NONE",
    "lodged": "LODGED",
    "hearing_listed": "LISTED",
    "allowed": "ALLOWED",
    "dismissed": "DISMISSED",
}
PAYMENT_CODES = {"regular": "REG", "arrears": "ARR"}


def batch_list(batches: list[PipBatch]) -> bytes:
    rows = "".join(
        f'<Batch id="{batch.batch_id:06d}" records="{batch.record_count}" '
        f'firstSeq="{batch.first_version}" lastSeq="{batch.last_version}" '
        f'created="{batch.created_at}"/>\n'
        for batch in batches
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<PipcsBatches>\n{rows}</PipcsBatches>\n'.encode()
    )


def batch_file(batch: PipBatch, records: list[FeedRecord]) -> bytes:
    head = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<PipcsExport batchId="{batch.batch_id:06d}" '
        f'created="{batch.created_at}" recordCount="{len(records)}">\n'
    )
    return (head + "".join(map(_award, records)) + "</PipcsExport>\n").encode()


def _element(name: str, value: str | None) -> str:
    return f"<{name}>{escape(value)}</{name}>" if value else f"<{name}/>"


def _award(record: FeedRecord) -> str:
    source = record.source
    identity = source["identity"]
    address = identity["address"]
    payments = "".join(
        f'<Payment date="{item["payment_date"]}" amountPence="{item["amount_pence"]}" '
        f'type="{PAYMENT_CODES[item["kind"]]}" from="{item["period_start"]}" '
        f'to="{item["period_end"]}"/>'
        for item in source["payments"]
    )
    upcoming = source["next_payment"]
    next_payment = (
        f'<NextPayment date="{upcoming["payment_date"]}" amountPence="{upcoming["amount_pence"]}"/>'
        if upcoming
        else "<NextPayment/>"
    )
    stage: str = source["claim_stage"]
    return (
        f'<Award seq="{record.version}" changed="{source["changed_at"]}">'
        f"<Nino>{escape(record.nino)}</Nino><ClaimRef>{source['claim_ref']}</ClaimRef>"
        f'<Claimant restricted="{"Y" if identity["restricted"] else "N"}">'
        f"{_element('Forename', identity['first_name'])}"
        f"{_element('OtherForenames', ' '.join(identity['middle_names']))}"
        f"{_element('Surname', identity['last_name'])}"
        f"{_element('BirthDate', identity['date_of_birth'])}"
        f"{_element('DeathDate', identity['date_of_death'])}"
        f"<Address>{_element('Line1', address['line_1'])}{_element('Line2', address['line_2'])}"
        f"{_element('Town', address['town'])}{_element('Postcode', address['postcode'])}</Address>"
        "</Claimant>"
        f"<Claim stage={quoteattr(STAGE_CODES.get(stage, stage))} "
        f'status="{STATUS_CODES[source["status"]]}" '
        f"provider={quoteattr(source['assessment_provider'])} "
        f'mr="{MR_CODES[source["mr_status"]]}" appeal="{APPEAL_CODES[source["appeal_status"]]}">'
        f"{_element('StartDate', source['start_date'])}{_element('EndDate', source['end_date'])}"
        f"{_element('AwardEndDate', source['award_end_date'])}"
        f"{_element('ReviewDate', source['review_date'])}</Claim>"
        f'<Components><DailyLiving level="{LEVEL_CODES[source["daily_living_level"]]}" '
        f'weeklyPence="{source["daily_living_weekly_pence"]}"/>'
        f'<Mobility level="{LEVEL_CODES[source["mobility_level"]]}" '
        f'weeklyPence="{source["mobility_weekly_pence"]}"/></Components>'
        f"<Payments>{payments}</Payments>{next_payment}</Award>\n"
    )
