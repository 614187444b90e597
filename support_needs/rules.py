"""Signal rules: explainable, cross-benefit facts that suggest a customer may need support.

Each rule reads the data for a batch of customers in a fixed number of queries and returns
findings, each with the reason a colleague reads. Rules never decide anything: a colleague refers
to an ACSSL or dismisses the signal with a reason (support_needs.services.signals).

Thresholds are settings, defined with their defaults in dwpportal/settings/base.py: the large
arrears threshold (SUPPORT_NEEDS_LARGE_ARREARS_PENCE, read through benefits.selectors, which
flags the same payments on the customer page), SUPPORT_NEEDS_PIP_ENDING_DAYS,
SUPPORT_NEEDS_LARGE_DEDUCTION_PERCENT (of the UC standard allowance), and
SUPPORT_NEEDS_CONTACTS_COUNT within SUPPORT_NEEDS_CONTACTS_DAYS. A Six Point Plan's marker
lasts SIX_POINT_PLAN_DAYS.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import Q

from benefits.models import Payment, PipAward, UniversalCreditAward
from benefits.selectors import large_arrears_pence
from customers.models import Interaction
from support_needs.models import SignalRule, SixPointPlanRecord, SupportNeed, SupportSignal

SIX_POINT_PLAN_DAYS = 90


def interactions_since(customer_ids: list[int], since: dt.datetime) -> dict[int, list[dt.datetime]]:
    """Contacts recorded on the customer page (customers.Interaction)."""
    moments: dict[int, list[dt.datetime]] = defaultdict(list)
    for customer_id, at in Interaction.objects.filter(
        customer_id__in=customer_ids, recorded_at__gte=since
    ).values_list("customer_id", "recorded_at"):
        moments[customer_id].append(at)
    return moments


# Where contacts with a customer come from: each source takes customer ids and a start moment
# and returns {customer_id: [moments]}.
ContactSource = Callable[[list[int], dt.datetime], dict[int, list[dt.datetime]]]
contact_sources: list[ContactSource] = [interactions_since]


def setting(name: str) -> int:
    return int(getattr(settings, name))


def large_arrears_threshold_pence() -> int:
    return large_arrears_pence()


@dataclass(frozen=True)
class Finding:
    customer_id: int
    rule: str
    fact_key: str
    reason: str
    restricted: bool = False
    payment: Payment | None = None
    six_point_plan: SixPointPlanRecord | None = None


def pounds(pence: int) -> str:
    return f"£{pence / 100:,.2f}"


def _active_needs(customer_ids: list[int], today: dt.date) -> dict[int, list[SupportNeed]]:
    needs = (
        SupportNeed.objects.filter(customer_id__in=customer_ids, status=SupportNeed.Status.ACTIVE)
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
        .select_related("need_type")
    )
    by_customer: dict[int, list[SupportNeed]] = defaultdict(list)
    for need in needs:
        by_customer[need.customer_id].append(need)
    return by_customer


def _explain(needs: list[SupportNeed]) -> tuple[str, bool]:
    """Name the needs behind a finding. Restricted ones are named only if nothing else applies,
    and then the whole signal is restricted."""
    normal = [n.need_type.name for n in needs if not n.need_type.restricted]
    if normal:
        return ", ".join(normal), False
    return ", ".join(n.need_type.name for n in needs), True


def large_arrears(customer_ids: list[int], today: dt.date, needs: dict) -> list[Finding]:
    threshold = large_arrears_threshold_pence()
    findings = []
    payments = Payment.objects.filter(
        customer_id__in=customer_ids,
        kind=Payment.Kind.ARREARS,
        payment_date__gte=today,
        amount_pence__gte=threshold,
    ).order_by("payment_date")
    for payment in payments:
        complex_needs = [n for n in needs.get(payment.customer_id, []) if n.need_type.complex_need]
        if not complex_needs:
            continue
        named, restricted = _explain(complex_needs)
        findings.append(
            Finding(
                payment.customer_id,
                SignalRule.LARGE_ARREARS_COMPLEX,
                f"payment:{payment.pk}",
                f"An arrears payment of {pounds(payment.amount_pence)} "
                f"({payment.get_benefit_display()}) is due on {payment.payment_date:%-d %B %Y}, "
                f"at or above the {pounds(threshold)} threshold, and the customer has complex "
                f"needs ({named}). Offer support before the payment date.",
                restricted,
                payment=payment,
            )
        )
    return findings


def _has_lcwra(award: UniversalCreditAward) -> bool:
    return any(
        str(e.get("kind") or e.get("type") or "").lower() == "lcwra" for e in award.elements or []
    )


def pip_ending_while_lcwra(customer_ids: list[int], today: dt.date, needs: dict) -> list[Finding]:
    horizon = today + dt.timedelta(days=setting("SUPPORT_NEEDS_PIP_ENDING_DAYS"))
    pip_ending = {
        award.customer_id: award
        for award in PipAward.objects.filter(
            customer_id__in=customer_ids, award_end__gte=today, award_end__lte=horizon
        )
    }
    if not pip_ending:
        return []
    findings = []
    for uc in UniversalCreditAward.objects.filter(customer_id__in=list(pip_ending), status="live"):
        if not _has_lcwra(uc):
            continue
        pip = pip_ending[uc.customer_id]
        if pip.award_end is None:  # never: the query asked for an end date
            continue
        days = (pip.award_end - today).days
        findings.append(
            Finding(
                uc.customer_id,
                SignalRule.PIP_ENDING_LCWRA,
                f"pip_end:{pip.award_end.isoformat()}",
                f"PIP ends on {pip.award_end:%-d %B %Y} (in {days} days) while Universal Credit "
                "still includes the LCWRA element (limited capability for work-related activity): "
                "the customer may lose support they still need. Check they know how to renew.",
            )
        )
    return findings


def _active_sanction(award: UniversalCreditAward, today: dt.date) -> dict | None:
    for sanction in award.sanctions or []:
        end = sanction.get("end_date")
        try:
            if not end or dt.date.fromisoformat(str(end)) >= today:
                return sanction
        except ValueError:
            return sanction
    return None


def sanction_or_deduction_with_mental_health(
    customer_ids: list[int], today: dt.date, needs: dict
) -> list[Finding]:
    mental_health = {
        customer_id: [n for n in customer_needs if n.need_type.mental_health]
        for customer_id, customer_needs in needs.items()
    }
    mental_health = {c: n for c, n in mental_health.items() if n}
    if not mental_health:
        return []
    percent = setting("SUPPORT_NEEDS_LARGE_DEDUCTION_PERCENT")
    findings = []
    for uc in UniversalCreditAward.objects.filter(customer_id__in=list(mental_health)):
        named, restricted = _explain(mental_health[uc.customer_id])
        sanction = _active_sanction(uc, today)
        if sanction is not None:
            findings.append(
                Finding(
                    uc.customer_id,
                    SignalRule.SANCTION_MENTAL_HEALTH,
                    f"sanction:{sanction.get('start_date', '')}",
                    f"A {sanction.get('level', '')} level Universal Credit sanction applies "
                    f"(from {sanction.get('start_date', 'unknown')} to "
                    f"{sanction.get('end_date', 'unknown')}) and the customer has a mental-health "
                    f"need ({named}).",
                    restricted,
                )
            )
        total = sum(int(d.get("amount_pence") or 0) for d in uc.deductions or [])
        limit = uc.standard_allowance_pence * percent // 100
        if uc.standard_allowance_pence and total >= limit:
            findings.append(
                Finding(
                    uc.customer_id,
                    SignalRule.SANCTION_MENTAL_HEALTH,
                    f"deduction:{total}",
                    f"Universal Credit deductions of {pounds(total)} a month are at least "
                    f"{percent}% of the standard allowance ({pounds(uc.standard_allowance_pence)}) "
                    f"and the customer has a mental-health need ({named}).",
                    restricted,
                )
            )
    return findings


def repeated_contact(customer_ids: list[int], today: dt.date, needs: dict) -> list[Finding]:
    count = setting("SUPPORT_NEEDS_CONTACTS_COUNT")
    days = setting("SUPPORT_NEEDS_CONTACTS_DAYS")
    since = dt.datetime.combine(today - dt.timedelta(days=days), dt.time.min, tzinfo=dt.UTC)
    contacts: dict[int, list[dt.datetime]] = defaultdict(list)
    for source in contact_sources:
        for customer_id, moments in source(customer_ids, since).items():
            contacts[customer_id].extend(m for m in moments if m >= since)
    findings = []
    for customer_id, moments in contacts.items():
        if len(moments) >= count:
            first = min(moments)
            findings.append(
                Finding(
                    customer_id,
                    SignalRule.REPEATED_CONTACT,
                    f"contacts:{first.date().isoformat()}",
                    f"{len(moments)} contacts in the last {days} days (since "
                    f"{first:%-d %B %Y}): the customer may be struggling to get what they need.",
                )
            )
    return findings


def recent_six_point_plan(customer_ids: list[int], today: dt.date, needs: dict) -> list[Finding]:
    since = dt.datetime.combine(
        today - dt.timedelta(days=SIX_POINT_PLAN_DAYS), dt.time.min, tzinfo=dt.UTC
    )
    return [
        Finding(
            record.customer_id,
            SignalRule.RECENT_SIX_POINT_PLAN,
            f"spp:{record.pk}",
            f"A Six Point Plan was recorded for a contact on {record.occurred_at:%-d %B %Y}, "
            f"within the last {SIX_POINT_PLAN_DAYS} days. Speak to the ACSSL before any decision "
            "or contact.",
            True,
            six_point_plan=record,
        )
        for record in SixPointPlanRecord.objects.filter(
            customer_id__in=customer_ids, occurred_at__gte=since
        )
    ]


RULES = (
    large_arrears,
    pip_ending_while_lcwra,
    sanction_or_deduction_with_mental_health,
    repeated_contact,
    recent_six_point_plan,
)


def customers_any_rule_could_apply_to(customer_ids: list[int], today: dt.date) -> list[int]:
    """The customers among these for whom some rule could find something, or who hold a signal
    (so one that no longer applies is cleared): every rule needs an active need, a PIP award
    ending soon, recent contacts or a recent Six Point Plan. One query; a sync page of
    thousands of customers of whom few have any of these runs the rules on those few only."""
    if not customer_ids:
        return []
    horizon = today + dt.timedelta(days=setting("SUPPORT_NEEDS_PIP_ENDING_DAYS"))
    contacts_since = dt.datetime.combine(
        today - dt.timedelta(days=setting("SUPPORT_NEEDS_CONTACTS_DAYS")),
        dt.time.min,
        tzinfo=dt.UTC,
    )
    plans_since = dt.datetime.combine(
        today - dt.timedelta(days=SIX_POINT_PLAN_DAYS), dt.time.min, tzinfo=dt.UTC
    )
    tables = {
        "need": SupportNeed._meta.db_table,
        "signal": SupportSignal._meta.db_table,
        "pip": PipAward._meta.db_table,
        "plan": SixPointPlanRecord._meta.db_table,
    }
    contacts = (
        f"OR EXISTS (SELECT 1 FROM {Interaction._meta.db_table} i "
        "WHERE i.customer_id = c.id AND i.recorded_at >= %(contacts_since)s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT c.id FROM unnest(%(ids)s::bigint[]) AS c(id)
            WHERE EXISTS (SELECT 1 FROM {tables["need"]} n
                          WHERE n.customer_id = c.id AND n.status = 'active')
               OR EXISTS (SELECT 1 FROM {tables["signal"]} s WHERE s.customer_id = c.id)
               OR EXISTS (SELECT 1 FROM {tables["pip"]} p WHERE p.customer_id = c.id
                          AND p.award_end BETWEEN %(today)s AND %(horizon)s)
               OR EXISTS (SELECT 1 FROM {tables["plan"]} r
                          WHERE r.customer_id = c.id AND r.occurred_at >= %(plans_since)s)
               {contacts}
            ORDER BY c.id
            """,
            {
                "ids": list(customer_ids),
                "today": today,
                "horizon": horizon,
                "contacts_since": contacts_since,
                "plans_since": plans_since,
            },
        )
        return [row[0] for row in cursor.fetchall()]


def findings_for(customer_ids: list[int], today: dt.date) -> list[Finding]:
    needs = _active_needs(customer_ids, today)
    return [finding for rule in RULES for finding in rule(customer_ids, today, needs)]
