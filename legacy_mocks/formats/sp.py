"""PSCS: State Pension CSV extracts, an award row per record followed by its payment rows."""

import csv
import io

from legacy_mocks.world import FeedRecord

COLUMNS = (
    "record_type",
    "seq",
    "changed_at",
    "nino",
    "surname",
    "forenames",
    "other_forenames",
    "birth_date",
    "death_date",
    "restricted",
    "address_line_1",
    "address_line_2",
    "town",
    "postcode",
    "status",
    "pension_type",
    "sp_date",
    "start_date",
    "end_date",
    "qualifying_years",
    "additional_pence",
    "deferral_weeks",
    "weekly_amount_pence",
    "payment_day",
    "next_payment_date",
    "next_payment_pence",
    "payment_date",
    "payment_pence",
    "payment_type",
    "period_start",
    "period_end",
)
PENSION_TYPE_CODES = {"new": "NSP", "basic": "BSP"}
STATUS_CODES = {"live": "INPAY", "closed": "CEASED"}
PAYMENT_TYPE_CODES = {"regular": "REGULAR", "arrears": "ARREARS"}


def extract(records: list[FeedRecord]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for record in records:
        source, identity = record.source, record.source["identity"]
        address, upcoming = identity["address"], source["next_payment"] or {}
        key = {"seq": record.version, "changed_at": source["changed_at"], "nino": record.nino}
        writer.writerow(
            _row(
                {
                    **key,
                    "record_type": "AWARD",
                    "surname": identity["last_name"],
                    "forenames": identity["first_name"],
                    "other_forenames": " ".join(identity["middle_names"]),
                    "birth_date": _date(identity["date_of_birth"]),
                    "death_date": _date(identity["date_of_death"]),
                    "restricted": "Y" if identity["restricted"] else "N",
                    "address_line_1": address["line_1"],
                    "address_line_2": address["line_2"],
                    "town": address["town"],
                    "postcode": address["postcode"],
                    "status": STATUS_CODES[source["status"]],
                    "pension_type": PENSION_TYPE_CODES.get(
                        source["pension_type"], source["pension_type"]
                    ),
                    "sp_date": _date(source["sp_date"]),
                    "start_date": _date(source["start_date"]),
                    "end_date": _date(source["end_date"]),
                    "qualifying_years": source["qualifying_years"],
                    "additional_pence": source["additional_pence"],
                    "deferral_weeks": source["deferral_weeks"],
                    "weekly_amount_pence": source["weekly_amount_pence"],
                    "payment_day": source["payment_weekday"][:3].upper(),
                    "next_payment_date": _date(upcoming.get("payment_date")),
                    "next_payment_pence": upcoming.get("amount_pence"),
                }
            )
        )
        for item in source["payments"]:
            writer.writerow(
                _row(
                    {
                        **key,
                        "record_type": "PAYMENT",
                        "payment_date": _date(item["payment_date"]),
                        "payment_pence": item["amount_pence"],
                        "payment_type": PAYMENT_TYPE_CODES[item["kind"]],
                        "period_start": _date(item["period_start"]),
                        "period_end": _date(item["period_end"]),
                    }
                )
            )
    return buffer.getvalue().encode()


def _row(values: dict[str, object]) -> list[object]:
    return ["" if values.get(name) is None else values[name] for name in COLUMNS]


def _date(value: str | None) -> str:
    """PSCS writes dates the British way, DD/MM/YYYY."""
    return f"{value[8:10]}/{value[5:7]}/{value[:4]}" if value else ""
