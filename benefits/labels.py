"""Plain English for every code the legacy systems send: one table per source and code family.

The parsers (benefits/sources/) turn each system's wire codes into the canonical codes stored
on the awards ("no_work_related_requirements", "wrag", "monday"); these tables say what a
colleague reads for each. A code no table knows shows as "<code> (not recognised)", never as
the bare code, so a new code from a source is visible for what it is.
"""

from collections.abc import Mapping
from typing import Any

NOT_RECOGNISED = "{code} (not recognised)"
NOT_KNOWN = "Not known"

UC: dict[str, dict[str, str]] = {
    "status": {"live": "Live", "closed": "Closed"},
    "household": {"single": "Single claim", "couple": "Joint claim (couple)"},
    "conditionality_regime": {
        "intensive_work_search": "Intensive work search",
        "light_touch": "Light touch",
        "work_focused_interview": "Work-focused interview only",
        "work_preparation": "Work preparation",
        "no_work_related_requirements": "No work-related requirements",
    },
    # Elements, deductions and sanction levels arrive as free text: the parser upper-cases the
    # first two, so they are matched here in upper case.
    "element": {
        "LCWRA": "Limited capability for work and work-related activity (LCWRA)",
        "LCW": "Limited capability for work",
        "CHILD": "Child element",
        "CARER": "Carer element",
        "HOUSING": "Housing costs",
        "CHILDCARE": "Childcare costs",
        "DISABLED_CHILD": "Disabled child addition",
    },
    "deduction": {
        "ADVANCE": "Advance repayment",
        "OVERPAYMENT": "Overpayment recovery",
        "THIRD_PARTY_RENT_ARREARS": "Rent arrears paid to the landlord",
        "THIRD_PARTY_COUNCIL_TAX": "Council Tax arrears paid to the council",
        "HARDSHIP_PAYMENT": "Hardship payment repayment",
        "HARDSHIP": "Hardship payment repayment",
        "HOUSING": "Housing costs contribution",
        "SANCTION": "Sanction",
    },
    "sanction_level": {
        "higher": "Higher-level sanction",
        "medium": "Medium-level sanction",
        "low": "Low-level sanction",
        "lowest": "Lowest-level sanction",
    },
}

PIP: dict[str, dict[str, str]] = {
    "status": {"pending": "Pending", "live": "Live", "closed": "Closed"},
    "claim_stage": {
        "registration": "Registration",
        "form": "Form sent (How your disability affects you)",
        "assessment": "Assessment",
        "decision": "Decision made",
        "mandatory_reconsideration": "Mandatory reconsideration",
        "appeal": "Appeal",
    },
    "rate": {"none": "Not awarded", "standard": "Standard rate", "enhanced": "Enhanced rate"},
    "mr_status": {
        "none": "None",
        "requested": "Requested",
        "revised": "Decision revised",
        "not_revised": "Decision not revised",
    },
    "appeal_status": {
        "none": "None",
        "lodged": "Lodged",
        "hearing_listed": "Hearing listed",
        "allowed": "Allowed",
        "dismissed": "Dismissed",
    },
}

ESA: dict[str, dict[str, str]] = {
    "status": {"live": "Live", "closed": "Closed"},
    "esa_type": {
        "new_style": "New style (contribution-based)",
        "income_related": "Income-related",
    },
    "phase": {"assessment": "Assessment phase", "main": "Main phase"},
    "group": {
        "": "No group yet",
        "none": "No group",
        "wrag": "Work-related activity group",
        "support": "Support group",
    },
    "wca_outcome": {
        "pending": "Outcome pending",
        "wrag": "Work-related activity group",
        "support_group": "Support group",
    },
}

SP: dict[str, dict[str, str]] = {
    "status": {"live": "In payment", "closed": "Ceased"},
    "pension_type": {"new": "New State Pension", "basic": "Basic State Pension"},
    "payment_day": {
        "monday": "Mondays",
        "tuesday": "Tuesdays",
        "wednesday": "Wednesdays",
        "thursday": "Thursdays",
        "friday": "Fridays",
    },
}

# What the sync records happening to a benefit (BenefitEvent.kind), as a timeline byline.
EVENT_KINDS: dict[str, str] = {
    "award_started": "Award started",
    "award_ended": "Award ended",
    "pip_rate_increased": "Rate increased",
    "pip_rate_reduced": "Rate reduced",
    "esa_group_changed": "Group changed",
    "uc_sanction_applied": "Sanction applied",
    "uc_support_need_recorded": "Support need recorded",
    "arrears_payment": "Arrears payment",
    "death_recorded": "Date of death recorded",
}

SOURCES: dict[str, dict[str, dict[str, str]]] = {"uc": UC, "pip": PIP, "esa": ESA, "sp": SP}


def label(table: Mapping[str, str], code: object) -> str:
    """The plain-English label of `code` in `table`; "<code> (not recognised)" if it has none,
    "Not known" if the source sent nothing (and the table gives blank no meaning)."""
    text = "" if code is None else str(code)
    if text in table:
        return table[text]
    if not text.strip():
        return NOT_KNOWN
    return NOT_RECOGNISED.format(code=text.strip())


def code_label(source: str, family: str, code: object) -> str:
    """The label of one source's code, e.g. code_label("esa", "group", "wrag")."""
    return label(SOURCES[source][family], code)


def item_code(item: object, *keys: str) -> str:
    """The code of a synced list item (a UC element, deduction or sanction), whatever its key."""
    if isinstance(item, Mapping):
        for key in (*keys, "type", "kind", "level", "name", "code"):
            if item.get(key):
                return str(item[key])
        return ""
    return str(item)


def benefit_event_title(*, kind: str, summary: str, details: Mapping[str, Any]) -> str:
    """A benefit event's headline. Events whose stored summary carries source codes are
    worded again from their details, so rows written before a label changed read well too."""
    if kind == "esa_group_changed":
        before = label(ESA["group"], details.get("previous_group") or "none")
        after = label(ESA["group"], details.get("group") or "none")
        return f"ESA group changed from {before.lower()} to {after.lower()}"
    if kind in ("pip_rate_increased", "pip_rate_reduced") and "daily_living_rate" in details:
        change = "increased" if kind == "pip_rate_increased" else "reduced"
        daily = label(PIP["rate"], details.get("daily_living_rate")).lower()
        mobility = label(PIP["rate"], details.get("mobility_rate")).lower()
        weekly, was = details.get("weekly_pence"), details.get("previous_weekly_pence")
        money = ""
        if isinstance(weekly, int) and isinstance(was, int):
            money = f" (£{weekly / 100:,.2f} a week, was £{was / 100:,.2f})"
        return f"PIP {change}: daily living {daily}, mobility {mobility}{money}"
    return summary


def benefit_event_byline(*, benefit_label: str, kind: str) -> str:
    """ "Employment and Support Allowance: group changed"."""
    return f"{benefit_label}: {label(EVENT_KINDS, kind).lower()}"
