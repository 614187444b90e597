"""Compare the portal with the legacy systems' ground truth (GET /_truth/customers, JSON lines).

Every difference is listed; a difference is *explained* when an open quarantined record of that
source holds the customer's record (the portal lacks that version because it was not trusted).
Differences name customers and hold their names, addresses and dates of birth: the comparison is
audited as an export (with its counts), and a restricted customer's values are hidden from an
operator not cleared for restricted records.
"""

import json
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from django.conf import settings

from audit.context import AuditContext
from audit.models import AccessEvent
from audit.services import access_record
from benefits.models import QuarantinedRecord
from benefits.sync.apply import AWARD_MODELS
from customers.models import Customer
from customers.selectors import restricted_record_cleared

BATCH = 500
# JSAPS's fixed-width columns cut long values: compare what the extract can hold.
_ESA_WIDTHS = {
    "first_name": 30,
    "middle_names": 60,
    "last_name": 40,
    "address_line_1": 40,
    "address_line_2": 40,
    "town": 30,
    "postcode": 8,
}


@dataclass(frozen=True)
class Difference:
    nino: str
    source: str
    what: str
    portal: Any
    truth: Any
    explained: bool
    # A restricted customer's difference, told to someone not cleared for restricted records.
    hidden: bool = False

    def __str__(self) -> str:
        flag = "explained by quarantine" if self.explained else "UNEXPLAINED"
        if self.hidden:
            values = "values hidden (restricted record)"
        else:
            values = f"portal={self.portal!r} truth={self.truth!r}"
        return f"{self.nino} {self.source} {self.what}: {values} [{flag}]"


def _truth_lines(base_url: str) -> Iterator[dict[str, Any]]:
    with urllib.request.urlopen(f"{base_url.rstrip('/')}/_truth/customers", timeout=120) as answer:
        for line in answer:
            if line.strip():
                yield json.loads(line)


def _d(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _identity(source: str, truth: dict[str, Any]) -> dict[str, Any]:
    identity = truth["identity"]
    address = identity["address"]
    values = {
        "first_name": identity["first_name"],
        "middle_names": " ".join(identity["middle_names"]),
        "last_name": identity["last_name"],
        "date_of_birth": _d(identity["date_of_birth"]),
        "date_of_death": _d(identity["date_of_death"]),
        "address_line_1": address["line_1"] or "",
        "address_line_2": address["line_2"] or "",
        "town": address["town"] or "",
        "postcode": address["postcode"] or "",
    }
    if source == "esa":
        for name, width in _ESA_WIDTHS.items():
            values[name] = values[name].upper()[:width].strip()
    return values


def _award(source: str, s: dict[str, Any], nino: str) -> dict[str, Any]:
    if source == "uc":
        period = s.get("assessment_period") or {}
        upcoming = s.get("next_payment") or {}
        return {
            "claim_id": s["claim_id"],
            "status": s["status"],
            "start_date": _d(s["start_date"]),
            "end_date": _d(s["end_date"]),
            "household": s["household"],
            "assessment_period_start": _d(period.get("start_date")),
            "assessment_period_end": _d(period.get("end_date")),
            "next_payment_date": _d(upcoming.get("payment_date")),
            "next_payment_pence": upcoming.get("amount_pence"),
            "standard_allowance_pence": s["standard_allowance_pence"],
            "award_amount_pence": s["award_amount_pence"],
            "elements": [
                {"type": e["kind"].upper(), "amount_pence": e["amount_pence"]}
                for e in s["elements"]
            ],
            "deductions": [
                {"type": e["kind"].upper(), "amount_pence": e["amount_pence"]}
                for e in s["deductions"]
            ],
            "sanctions": s["sanctions"],
            "conditionality_regime": s["conditionality_regime"],
            "work_coach": s["work_coach"],
            "claimant_commitment_date": _d(s["claimant_commitment_date"]),
            "support_needs": s["support_needs"],
        }
    if source == "pip":
        return {
            "claim_reference": s["claim_ref"],
            "status": s["status"],
            "claim_stage": s["claim_stage"],
            "daily_living_rate": s["daily_living_level"],
            "mobility_rate": s["mobility_level"],
            "daily_living_weekly_pence": s["daily_living_weekly_pence"],
            "mobility_weekly_pence": s["mobility_weekly_pence"],
            "award_start": _d(s["start_date"]),
            "end_date": _d(s["end_date"]),
            "award_end": _d(s["award_end_date"]),
            "review_date": _d(s["review_date"]),
            "assessment_provider": s["assessment_provider"],
            "mr_status": s["mr_status"],
            "appeal_status": s["appeal_status"],
        }
    if source == "esa":
        return {
            "claim_reference": nino,
            "status": s["status"],
            "esa_type": s["esa_type"],
            "phase": s["phase"],
            "group": s["group"] or "",
            "weekly_rate_pence": s["weekly_amount_pence"],
            "claim_start": _d(s["start_date"]),
            "end_date": _d(s["end_date"]),
            "wca_referral_date": _d(s["wca_referral_date"]),
            "wca_date": _d(s["wca_date"]),
            "wca_outcome": s["wca_outcome"],
            "time_limit_date": _d(s["time_limit_date"]),
            "migration_notice_date": _d(s["migration_notice_date"]),
            "migration_deadline_date": _d(s["migration_deadline_date"]),
        }
    return {
        "pension_type": s["pension_type"],
        "status": s["status"],
        "weekly_amount_pence": s["weekly_amount_pence"],
        "additional_pence": s["additional_pence"],
        "qualifying_years": s["qualifying_years"],
        "state_pension_date": _d(s["sp_date"]),
        "start_date": _d(s["start_date"]),
        "end_date": _d(s["end_date"]),
        "payment_day": s["payment_weekday"],
        "deferral_weeks": s["deferral_weeks"],
    }


def _payments(s: dict[str, Any]) -> set[tuple[date, int, str, str]]:
    # A listed payment dated after the record was made is still to be made (the parsers'
    # payment_status): arrears decided and paid weeks later.
    recorded = datetime.fromisoformat(s["changed_at"].replace("Z", "+00:00")).date()
    payments = set()
    for p in s.get("payments") or []:
        day = date.fromisoformat(p["payment_date"])
        status = "scheduled" if day > recorded else "paid"
        payments.add((day, p["amount_pence"], p["kind"], status))
    upcoming = s.get("next_payment")
    if upcoming:
        payments.add(
            (date.fromisoformat(upcoming["payment_date"]), upcoming["amount_pence"], "regular",
             "scheduled")
        )  # fmt: skip
    return payments


def reconcile(*, audit: AuditContext, base_url: str | None = None) -> tuple[list[Difference], int]:
    """(differences, customers compared) between the portal and the ground truth. A restricted
    customer's differences (restricted in the portal or in any source) are `hidden` unless the
    colleague in `audit` is cleared for restricted records. Audited as one EXPORT with the
    counts, never a NINO."""
    cleared = restricted_record_cleared(audit)
    base_url = base_url or settings.LEGACY_BASE_URL
    quarantined_keys: set[tuple[str, str]] = set()
    quarantined_versions: set[tuple[str, int]] = set()
    for source, key, version in QuarantinedRecord.objects.filter(
        status=QuarantinedRecord.Status.OPEN
    ).values_list("source", "record_key", "record_version"):
        quarantined_keys.add((source, key[:8]))
        if version is not None:
            quarantined_versions.add((source, version))
    differences: list[Difference] = []
    compared = 0
    batch: list[dict[str, Any]] = []

    def explained(source: str, nino: str, version: int) -> bool:
        return (source, version) in quarantined_versions or (source, nino[:8]) in quarantined_keys

    def flush() -> None:
        nonlocal compared
        if not batch:
            return
        customers = {
            c.nino: c
            for c in Customer.objects.filter(nino__in=[t["nino"] for t in batch])
            .select_related("uc_award", "pip_award", "esa_award", "sp_award")
            .prefetch_related("identities", "payments")
        }
        for truth in batch:
            compared += 1
            customer = customers.get(truth["nino"])
            found = _compare(truth, customer, explained)
            if found and not cleared and _restricted(truth, customer):
                found = [replace(d, hidden=True) for d in found]
            differences.extend(found)
        batch.clear()

    for truth in _truth_lines(base_url):
        if not truth["sources"]:
            continue  # holds no benefit in any system: nothing to sync
        batch.append(truth)
        if len(batch) >= BATCH:
            flush()
    flush()
    unexplained = sum(1 for d in differences if not d.explained)
    access_record(
        audit=audit,
        action=AccessEvent.Action.EXPORT,
        what="legacy reconciliation",
        detail={
            "compared": compared,
            "differences": len(differences),
            "explained": len(differences) - unexplained,
            "unexplained": unexplained,
            "hidden": sum(1 for d in differences if d.hidden),
        },
    )
    return differences, compared


def _restricted(truth: dict[str, Any], customer: Customer | None) -> bool:
    return (customer is not None and customer.restricted) or any(
        s["identity"]["restricted"] for s in truth["sources"].values()
    )


def _compare(truth: dict[str, Any], customer: Customer | None, explained: Any) -> list[Difference]:
    nino = truth["nino"]
    sources = truth["sources"]
    if customer is None:
        return [
            Difference(nino, source, "record missing", None, s["version"],
                       explained(source, nino, s["version"]))
            for source, s in sources.items()
        ]  # fmt: skip
    out: list[Difference] = []
    identities = {i.source: i for i in customer.identities.all()}
    payments_by_benefit: dict[str, set[tuple[date, int, str, str]]] = {}
    for p in customer.payments.all():
        payments_by_benefit.setdefault(p.benefit, set()).add(
            (p.payment_date, p.amount_pence, p.kind, p.status)
        )
    any_unexplained_source = False
    for source, s in sources.items():
        why = explained(source, nino, s["version"])
        award = getattr(customer, f"{source}_award", None) if _has(customer, source) else None
        found: list[Difference] = []
        if award is None:
            found.append(Difference(nino, source, "award missing", None, s["version"], why))
        else:
            if award.source_version != s["version"]:
                found.append(
                    Difference(nino, source, "version", award.source_version, s["version"], why)
                )
            for name, want in _award(source, s, nino).items():
                have = getattr(award, name)
                if have != want:
                    found.append(Difference(nino, source, f"award.{name}", have, want, why))
            if bool(award.source_restricted) != bool(s["identity"]["restricted"]):
                found.append(
                    Difference(nino, source, "restricted", award.source_restricted,
                               s["identity"]["restricted"], why)
                )  # fmt: skip
            identity = identities.get(source)
            for name, want in _identity(source, s).items():
                have = getattr(identity, name) if identity else None
                if have != want:
                    found.append(Difference(nino, source, f"identity.{name}", have, want, why))
            want_payments = _payments(s)
            have_payments = payments_by_benefit.get(source, set())
            missing = want_payments - have_payments
            stale = {p for p in have_payments - want_payments if p[3] == "scheduled"}
            if missing:
                found.append(
                    Difference(nino, source, "payments missing", None, sorted(missing), why)
                )
            if stale:
                found.append(
                    Difference(nino, source, "scheduled payments not in source", sorted(stale),
                               None, why)
                )  # fmt: skip
        any_unexplained_source |= any(not d.explained for d in found)
        out.extend(found)
    # Customer-level facts the portal derives from all sources.
    why_customer = not any_unexplained_source and any(
        explained(source, nino, s["version"]) for source, s in sources.items()
    )
    held = [
        b for b in ("uc", "pip", "esa", "sp") if b in sources and sources[b]["status"] != "closed"
    ]
    if customer.benefits_held != held:
        out.append(Difference(nino, "*", "benefits_held", customer.benefits_held, held,
                              why_customer))  # fmt: skip
    died = _d(truth["identity"]["date_of_death"])
    if customer.date_of_death != died:
        out.append(Difference(nino, "*", "date_of_death", customer.date_of_death, died,
                              why_customer))  # fmt: skip
    restricted = any(s["identity"]["restricted"] for s in sources.values())
    if customer.restricted != restricted:
        out.append(Difference(nino, "*", "restricted", customer.restricted, restricted,
                              why_customer))  # fmt: skip
    return out


def _has(customer: Customer, source: str) -> bool:
    try:
        getattr(customer, f"{source}_award")
    except AWARD_MODELS[source].DoesNotExist:
        return False
    return True
