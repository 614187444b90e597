"""JSAPS: mainframe-style fixed-width ESA extracts with a header, detail records and a trailer."""

from legacy_mocks.world import FeedRecord

RECORD_LENGTH = 320
# Layouts: (field, width) in order; numeric fields are zero-padded, the rest space-padded.
HEADER = (("record_type", 3), ("extract_date", 8), ("first_seq", 12), ("system_id", 8))
IDENTITY = (
    ("seq", 12),
    ("record_type", 2),
    ("nino", 9),
    ("surname", 40),
    ("forename", 30),
    ("other_forenames", 60),
    ("birth_date", 8),
    ("death_date", 8),
    ("restricted", 1),
    ("address_line_1", 40),
    ("address_line_2", 40),
    ("town", 30),
    ("postcode", 8),
    ("changed", 14),
)
AWARD = (
    ("seq", 12),
    ("record_type", 2),
    ("nino", 9),
    ("esa_type", 1),
    ("status", 1),
    ("phase", 1),
    ("group", 1),
    ("weekly_pence", 9),
    ("start_date", 8),
    ("end_date", 8),
    ("wca_referral_date", 8),
    ("wca_date", 8),
    ("wca_outcome", 1),
    ("time_limit_date", 8),
    ("migration_notice_date", 8),
    ("migration_deadline_date", 8),
)
PAYMENT = (
    ("seq", 12),
    ("record_type", 2),
    ("nino", 9),
    ("payment_type", 1),
    ("payment_date", 8),
    ("amount_pence", 9),
    ("period_start", 8),
    ("period_end", 8),
)
TRAILER = (("record_type", 3), ("record_count", 9), ("next_seq", 12))
NUMERIC = frozenset(
    {"first_seq", "seq", "weekly_pence", "amount_pence", "record_count", "next_seq"}
)
LAYOUTS = {"HDR": HEADER, "01": IDENTITY, "02": AWARD, "03": PAYMENT, "TRL": TRAILER}

ESA_TYPE_CODES = {"new_style": "C", "income_related": "I"}
STATUS_CODES = {"live": "L", "closed": "C"}
PHASE_CODES = {"assessment": "A", "main": "M"}
GROUP_CODES = {None: " ", "wrag": "W", "support": "S"}
WCA_OUTCOME_CODES = {"pending": "P", "wrag": "W", "support_group": "S"}
PAYMENT_TYPE_CODES = {"regular": "R", "arrears": "A", "next": "N"}
UNKNOWN = "X"  # what an unknown (malformed) code looks like on the wire


def offsets(layout: tuple[tuple[str, int], ...]) -> list[tuple[str, int, int]]:
    """(field, 1-based start column, width) for each field of a layout."""
    columns, start = [], 1
    for name, width in layout:
        columns.append((name, start, width))
        start += width
    return columns


def extract(
    records: list[FeedRecord],
    *,
    extract_date: str,
    first_seq: int,
    next_seq: int,
    wrong_trailer: bool = False,
) -> bytes:
    lines = [
        _line(
            HEADER,
            {
                "record_type": "HDR",
                "extract_date": _date(extract_date),
                "first_seq": first_seq,
                "system_id": "JSAPS",
            },
        )
    ]
    for record in records:
        lines.extend(_customer(record))
    details = len(lines) - 1
    lines.append(
        _line(
            TRAILER,
            {
                "record_type": "TRL",
                "record_count": details + (1 if wrong_trailer else 0),
                "next_seq": next_seq,
            },
        )
    )
    return ("\n".join(lines) + "\n").encode()


def _customer(record: FeedRecord) -> list[str]:
    source, key = record.source, {"seq": record.version, "nino": record.nino}
    identity, address = source["identity"], source["identity"]["address"]
    lines = [
        _line(
            IDENTITY,
            {
                **key,
                "record_type": "01",
                "surname": identity["last_name"],
                "forename": identity["first_name"],
                "other_forenames": " ".join(identity["middle_names"]),
                "birth_date": _date(identity["date_of_birth"]),
                "death_date": _date(identity["date_of_death"]),
                "restricted": "Y" if identity["restricted"] else "N",
                "address_line_1": address["line_1"],
                "address_line_2": address["line_2"] or "",
                "town": address["town"],
                "postcode": address["postcode"],
                "changed": source["changed_at"].translate(_DIGITS_ONLY),
            },
        ),
        _line(
            AWARD,
            {
                **key,
                "record_type": "02",
                "esa_type": ESA_TYPE_CODES[source["esa_type"]],
                "status": STATUS_CODES[source["status"]],
                "phase": PHASE_CODES.get(source["phase"], UNKNOWN),
                "group": GROUP_CODES[source["group"]],
                "weekly_pence": source["weekly_amount_pence"],
                "start_date": _date(source["start_date"]),
                "end_date": _date(source["end_date"]),
                "wca_referral_date": _date(source["wca_referral_date"]),
                "wca_date": _date(source["wca_date"]),
                "wca_outcome": WCA_OUTCOME_CODES[source["wca_outcome"]],
                "time_limit_date": _date(source["time_limit_date"]),
                "migration_notice_date": _date(source["migration_notice_date"]),
                "migration_deadline_date": _date(source["migration_deadline_date"]),
            },
        ),
    ]
    payments = [(PAYMENT_TYPE_CODES[item["kind"]], item) for item in source["payments"]]
    if source["next_payment"]:
        payments.append(("N", source["next_payment"]))
    for code, item in payments:
        lines.append(
            _line(
                PAYMENT,
                {
                    **key,
                    "record_type": "03",
                    "payment_type": code,
                    "payment_date": _date(item["payment_date"]),
                    "amount_pence": item["amount_pence"],
                    "period_start": _date(item.get("period_start")),
                    "period_end": _date(item.get("period_end")),
                },
            )
        )
    return lines


_DIGITS_ONLY = str.maketrans("", "", "-:TZ")


def _date(value: str | None) -> str:
    return value.replace("-", "") if value else ""


def _line(layout: tuple[tuple[str, int], ...], values: dict[str, object]) -> str:
    # Slicing to the width keeps the columns aligned whatever a value holds, as the mainframe does.
    return "".join(
        str(values[name]).rjust(width, "0")[-width:]
        if name in NUMERIC
        else str(values[name]).upper().ljust(width)[:width]
        for name, width in layout
    ).ljust(RECORD_LENGTH)
