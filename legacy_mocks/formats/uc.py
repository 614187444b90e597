"""UC service: JSON claim documents and the cursor change feed."""

import json
from typing import Any

from legacy_mocks.world import FeedRecord


def claim_document(record: FeedRecord) -> dict[str, Any]:
    """A claim as the UC service shapes it (see docs/legacy-systems.md)."""
    source = record.source
    identity = source["identity"]
    return {
        "claim_id": source["claim_id"],
        "nino": record.nino,
        "status": source["status"],
        "start_date": source["start_date"],
        "end_date": source["end_date"],
        "claimant": {
            "given_names": [identity["first_name"], *identity["middle_names"]],
            "family_name": identity["last_name"],
            "date_of_birth": identity["date_of_birth"],
            "date_of_death": identity["date_of_death"],
            "restricted": identity["restricted"],
            "address": identity["address"],
        },
        "household": source["household"],
        "current_assessment_period": source["assessment_period"],
        "entitlement": {
            "standard_allowance_pence": source["standard_allowance_pence"],
            "elements": source["elements"],
            "deductions": source["deductions"],
            "sanctions": source["sanctions"],
            "award_amount_pence": source["award_amount_pence"],
        },
        "claimant_commitment": {
            "accepted_date": source["claimant_commitment_date"],
            "conditionality_regime": source["conditionality_regime"],
        },
        "work_coach": {"name": source["work_coach"]},
        "additional_support": [
            {
                "need_code": need["code"],
                "details": need["details"],
                "recorded_on": need["recorded_date"],
            }
            for need in source["support_needs"]
        ],
        "payments": source["payments"],
        "next_payment": source["next_payment"],
    }


def changes_page(records: list[FeedRecord], *, next_cursor: str, has_more: bool) -> bytes:
    changes = [
        {
            "version": record.version,
            "changed_at": record.source["changed_at"],
            "claim": claim_document(record),
        }
        for record in records
    ]
    return json.dumps(
        {"changes": changes, "next_cursor": next_cursor, "has_more": has_more},
        separators=(",", ":"),
    ).encode()


def claim_response(record: FeedRecord) -> bytes:
    return json.dumps(
        {
            "version": record.version,
            "changed_at": record.source["changed_at"],
            "claim": claim_document(record),
        },
        separators=(",", ":"),
    ).encode()
