"""Canonical records every legacy adapter yields, and the HTTP client they share.

The sync service knows only these types: an adapter turns its system's wire format into a
`SourceRecord` (identity, the award as a per-benefit dataclass whose fields are the award
model's columns, and its payments) or a `Rejected` record saying why it cannot be trusted.
"""

import functools
import json
import random
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from http.client import HTTPException, IncompleteRead
from typing import Any

from django.conf import settings

from customers.nino import InvalidNino, validate_nino


class RecordError(ValueError):
    """One record cannot be trusted: it goes to quarantine with this message as the reason."""


class TransientSourceError(Exception):
    """A failure worth retrying: 5xx, 429, a timeout, a cut-off or unparseable page."""

    def __init__(self, message: str, *, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class SourceUnavailable(Exception):
    """Retries ran out: the page is not processed now (the task retries it later)."""


@dataclass(frozen=True, slots=True)
class Identity:
    """A legacy system's own copy of who the customer is."""

    first_name: str
    middle_names: str
    last_name: str
    date_of_birth: date | None
    date_of_death: date | None
    restricted: bool
    address_line_1: str
    address_line_2: str
    town: str
    postcode: str


@dataclass(frozen=True, slots=True)
class PaymentRecord:
    reference: str
    payment_date: date
    amount_pence: int
    kind: str  # regular / arrears
    status: str  # paid / scheduled
    period_start: date | None = None
    period_end: date | None = None


@dataclass(frozen=True, slots=True)
class UcAward:
    """Field names are UniversalCreditAward's columns."""

    claim_id: str
    status: str
    start_date: date | None
    end_date: date | None
    household: str
    assessment_period_start: date | None
    assessment_period_end: date | None
    next_payment_date: date | None
    next_payment_pence: int | None
    standard_allowance_pence: int
    award_amount_pence: int
    elements: list[dict[str, Any]]
    deductions: list[dict[str, Any]]
    sanctions: list[dict[str, Any]]
    conditionality_regime: str
    work_coach: str
    claimant_commitment_date: date | None
    # [{"code": "MENTAL_HEALTH", "details": "...", "recorded_date": "2025-01-31"}, ...]
    support_needs: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class PipAward:
    """Field names are PipAward's columns."""

    claim_reference: str
    status: str
    claim_stage: str
    daily_living_rate: str
    mobility_rate: str
    daily_living_weekly_pence: int
    mobility_weekly_pence: int
    award_start: date | None
    end_date: date | None
    award_end: date | None
    review_date: date | None
    assessment_provider: str
    mr_status: str
    appeal_status: str


@dataclass(frozen=True, slots=True)
class EsaAward:
    """Field names are EsaAward's columns."""

    claim_reference: str
    status: str
    esa_type: str
    phase: str
    group: str
    weekly_rate_pence: int
    claim_start: date | None
    end_date: date | None
    wca_referral_date: date | None
    wca_date: date | None
    wca_outcome: str
    time_limit_date: date | None
    migration_notice_date: date | None
    migration_deadline_date: date | None


@dataclass(frozen=True, slots=True)
class StatePensionAward:
    """Field names are StatePensionAward's columns."""

    pension_type: str
    status: str
    weekly_amount_pence: int
    additional_pence: int
    qualifying_years: int
    state_pension_date: date | None
    start_date: date | None
    end_date: date | None
    payment_day: str
    deferral_weeks: int


Award = UcAward | PipAward | EsaAward | StatePensionAward


@dataclass(frozen=True, slots=True)
class SourceRecord:
    """One version of one customer's record in one legacy system."""

    source: str
    version: int
    changed_at: datetime
    nino: str
    identity: Identity
    award: Award
    payments: tuple[PaymentRecord, ...]
    position: str

    def __post_init__(self) -> None:
        record_check(self)


@dataclass(frozen=True, slots=True)
class Rejected:
    """A record the parser would not trust: kept whole for quarantine.

    Whatever the source sent, the fields are made storable: a NUL or an undecodable byte becomes
    a visible escape, a version beyond a bigint is dropped, so quarantining it cannot fail.
    """

    source: str
    position: str
    record_key: str
    version: int | None
    raw_payload: str
    reason: str

    def __post_init__(self) -> None:
        for name in ("position", "record_key", "raw_payload", "reason"):
            object.__setattr__(self, name, storable_text(getattr(self, name)))
        if self.version is not None and not BIGINT_MIN <= self.version <= BIGINT_MAX:
            object.__setattr__(self, "version", None)


@dataclass
class ParsedPage:
    """One page of a feed: what it held and where the next page starts."""

    records: list[SourceRecord]
    rejected: list[Rejected]
    next_position: str
    has_more: bool
    expected_records: int | None = None  # when the source says how many are still to come
    raw_items: int = 0
    # Each parsed record's item as the source sent it, by position, and how to write it back
    # as the source's own text: a record the database refuses is quarantined whole, replayable.
    originals: dict[str, Any] = field(default_factory=dict)
    raw_text: Callable[[Any], str] = repr

    @property
    def fetched(self) -> int:
        return len(self.records) + len(self.rejected)

    def rejection(self, record: SourceRecord, reason: str) -> Rejected:
        """A parsed record refused later (by the database), as a quarantine entry."""
        original = self.originals.get(record.position)
        return Rejected(
            source=record.source,
            position=record.position,
            record_key=record.nino,
            version=record.version,
            raw_payload=self.raw_text(original) if original is not None else "",
            reason=reason,
        )


@dataclass
class HttpAnswer:
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


# --- what the database can hold: a record outside these limits is rejected, alone ---

BIGINT_MIN, BIGINT_MAX = -(2**63), 2**63 - 1
# Dates the portal can store, compare and show (a year-1 date overflows on conversion to local
# time; nobody alive was born before 1870 and no award runs past 2199).
EARLIEST_DATE = date(1870, 1, 1)
LATEST_DATE = date(2199, 12, 31)


def storable_text(text: str) -> str:
    """Text PostgreSQL accepts: NUL and undecodable bytes (surrogates) shown as escapes."""
    if "\x00" in text:
        text = text.replace("\x00", "\\x00")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def text_problem(text: str) -> str | None:
    """Why a string cannot be stored as the source meant it, or None."""
    if text.isascii():
        return "contains a NUL byte" if "\x00" in text else None
    if "\x00" in text:
        return "contains a NUL byte"
    if "\ufffd" in text:
        return "is not valid text (an undecodable byte)"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "is not valid text (an undecodable byte)"
    return None


def _value_problem(value: object, limit: tuple[str, int | None, int | None]) -> str | None:
    kind, low, high = limit
    if value is None:
        return None
    if kind == "text" and not isinstance(value, str):
        return f"is not text ({type(value).__name__})"
    if kind == "int" and (not isinstance(value, int) or isinstance(value, bool)):
        return f"is not a whole number ({type(value).__name__})"
    if isinstance(value, str):
        problem = text_problem(value)
        if problem:
            return problem
        if high is not None and kind == "text" and len(value) > high:
            return f"is {len(value)} characters long (at most {high})"
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        if low is not None and high is not None and not low <= value <= high:
            return f"is out of range ({value})"
        return None
    if isinstance(value, datetime):
        return _date_problem(value.date())
    if isinstance(value, date):
        return _date_problem(value)
    if isinstance(value, dict):
        for key, item in value.items():
            problem = _value_problem(str(key), ("json", None, None)) or _value_problem(
                item, ("json", BIGINT_MIN, BIGINT_MAX)
            )
            if problem:
                return f"holds a value that {problem}"
        return None
    if isinstance(value, (list, tuple)):
        for item in value:
            problem = _value_problem(item, ("json", BIGINT_MIN, BIGINT_MAX))
            if problem:
                return f"holds a value that {problem}"
    return None


def _date_problem(day: date) -> str | None:
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        return f"is out of range ({day.isoformat()})"
    return None


Limit = tuple[str, int | None, int | None]


@functools.cache
def _limits(model_label: str, names: tuple[str, ...]) -> dict[str, Limit]:
    """Each column's limit as the model declares it: max_length, or the integer range."""
    from django.apps import apps
    from django.db import connection, models

    model = apps.get_model(model_label)
    limits: dict[str, Limit] = {}
    for name in names:
        column = model._meta.get_field(name)
        if isinstance(column, models.CharField):
            limits[name] = ("text", None, column.max_length)
        elif isinstance(column, models.IntegerField):
            low, high = connection.ops.integer_field_range(column.get_internal_type())
            limits[name] = ("int", low, high)
        elif isinstance(column, models.JSONField):
            limits[name] = ("json", BIGINT_MIN, BIGINT_MAX)
        else:
            limits[name] = ("other", None, None)
    return limits


_AWARD_MODELS = {
    "UcAward": "benefits.UniversalCreditAward",
    "PipAward": "benefits.PipAward",
    "EsaAward": "benefits.EsaAward",
    "StatePensionAward": "benefits.StatePensionAward",
}
_PAYMENT_FIELDS = tuple(f.name for f in fields(PaymentRecord))
_AWARD_CLASSES: dict[str, type] = {
    cls.__name__: cls for cls in (UcAward, PipAward, EsaAward, StatePensionAward)
}


@functools.cache
def _plan(award_class: str) -> tuple[tuple[tuple[str, Limit], ...], ...]:
    """(field, limit) for the identity (the narrower of its two tables), the award, a payment.

    Dates are left out: parse_iso_date and parse_moment check their range as they parse."""
    identity_names = tuple(f.name for f in fields(Identity) if f.name != "restricted")
    copy = _limits("customers.SourceIdentity", identity_names)
    shown = _limits("customers.Customer", identity_names)
    identity = tuple(
        (name, copy[name] if (copy[name][2] or 0) <= (shown[name][2] or 0) else shown[name])
        for name in identity_names
    )
    award_names = tuple(f.name for f in fields(_AWARD_CLASSES[award_class]))
    award_limits = _limits(_AWARD_MODELS[award_class], award_names)
    award = tuple((name, award_limits[name]) for name in award_names)
    payment_limits = _limits("benefits.Payment", _PAYMENT_FIELDS)
    payment = tuple((name, payment_limits[name]) for name in _PAYMENT_FIELDS)
    return tuple(
        tuple(item for item in part if item[1][0] != "other") for part in (identity, award, payment)
    )


def record_check(record: "SourceRecord") -> None:
    """Refuse (RecordError) a record the database would refuse, naming the field and why.

    Limits come from the models, so a wider column widens what is accepted."""
    problem = _value_problem(record.version, ("int", BIGINT_MIN, BIGINT_MAX))
    if problem:
        raise RecordError(f"version {problem}")
    problem = _value_problem(record.changed_at, ("other", None, None))
    if problem:
        raise RecordError(f"changed_at {problem}")
    identity, award, payment = _plan(type(record.award).__name__)
    for name, limit in identity:
        problem = _value_problem(getattr(record.identity, name), limit)
        if problem:
            raise RecordError(f"{name.replace('_', ' ')} {problem}")
    for name, limit in award:
        problem = _value_problem(getattr(record.award, name), limit)
        if problem:
            raise RecordError(f"{name.replace('_', ' ')} {problem}")
    for number, item in enumerate(record.payments, start=1):
        for name, limit in payment:
            problem = _value_problem(getattr(item, name), limit)
            if problem:
                raise RecordError(f"payment {number} {name.replace('_', ' ')} {problem}")


# --- field parsing helpers shared by the parsers (each raises RecordError with a reason) ---


def parse_nino(text: str | None) -> str:
    try:
        return validate_nino(text or "")
    except InvalidNino as error:
        raise RecordError(f"invalid NINO {text!r}: {error}") from error


def parse_iso_date(text: str | None, what: str) -> date | None:
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError as error:
        raise RecordError(f"{what} is not a real date: {text!r}") from error
    problem = _date_problem(day)
    if problem:
        raise RecordError(f"{what} {problem}")
    return day


def parse_compact_date(text: str, what: str) -> date | None:
    """YYYYMMDD, blank for none (JSAPS)."""
    text = text.strip()
    if not text:
        return None
    if len(text) != 8 or not text.isdigit():
        raise RecordError(f"{what} is not a YYYYMMDD date: {text!r}")
    return parse_iso_date(f"{text[:4]}-{text[4:6]}-{text[6:]}", what)


def parse_british_date(text: str, what: str) -> date | None:
    """DD/MM/YYYY, blank for none (PSCS)."""
    text = text.strip()
    if not text:
        return None
    parts = text.split("/")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        raise RecordError(f"{what} is not a DD/MM/YYYY date: {text!r}")
    return parse_iso_date(f"{parts[2]}-{parts[1]}-{parts[0]}", what)


def parse_moment(text: str, what: str = "changed_at") -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (ValueError, AttributeError) as error:
        raise RecordError(f"{what} is not a timestamp: {text!r}") from error
    if moment.tzinfo is None:
        raise RecordError(f"{what} has no time zone: {text!r}")
    problem = _date_problem(moment.date())
    if problem:
        raise RecordError(f"{what} {problem}")
    return moment


def parse_code[V](value: str | None, table: dict[str, V], what: str) -> V:
    """Translate a source code through its code table; an unknown code is not trusted."""
    if value not in table:
        raise RecordError(f"unknown {what} code {value!r}")
    return table[value]


def parse_int(value: Any, what: str) -> int:
    if isinstance(value, bool):
        raise RecordError(f"{what} is not a whole number: {value!r}")
    if isinstance(value, int):
        return value
    text = str(value).strip() if value is not None else ""
    if not text.lstrip("-").isdigit() or not text.isascii():
        raise RecordError(f"{what} is not a whole number: {value!r}"[:300])
    if len(text.lstrip("-").lstrip("0")) > 19:
        raise RecordError(f"{what} is out of range: {text[:40]}...")
    return int(text)


def version_or_none(value: object) -> int | None:
    """A rejected record's version if it can be read and stored, else None."""
    text = str(value).strip() if value is not None else ""
    if not text.isascii() or not text.lstrip("-").isdigit() or len(text) > 19:
        return None
    return int(text)


def payment_status(paid_on: date, *, recorded_at: datetime) -> str:
    """A payment a record lists is paid only once its date has come by the moment the source
    recorded it; one dated later (arrears decided and still to be paid) is scheduled."""
    return "scheduled" if paid_on > recorded_at.date() else "paid"


def payment_reference(benefit: str, claim: str, paid_on: date, kind: str) -> str:
    """Sources give payments no id of their own: the claim, date and kind identify one."""
    return f"{benefit.upper()}-{claim}-{paid_on:%Y%m%d}-{kind[0].upper()}"


# --- HTTP with timeouts, retries, backoff and jitter ---

Sleep = Callable[[float], None]


class LegacyHttpClient:
    """GETs with a timeout on every call; retries 5xx, 429 (Retry-After), timeouts, cut bodies."""

    def __init__(
        self,
        base_url: str | None = None,
        *,
        timeout: float | None = None,
        attempts: int | None = None,
        backoff_base: float | None = None,
        backoff_cap: float | None = None,
        sleep: Sleep = time.sleep,
    ):
        self.base_url = (base_url or settings.LEGACY_BASE_URL).rstrip("/")
        self.timeout: float = timeout or settings.LEGACY_HTTP_TIMEOUT
        self.attempts: int = attempts or settings.LEGACY_HTTP_ATTEMPTS
        self.backoff_base: float = backoff_base or settings.LEGACY_HTTP_BACKOFF
        self.backoff_cap: float = backoff_cap or settings.LEGACY_HTTP_BACKOFF_CAP
        self.sleep = sleep
        self.retries = 0  # how many retries this client has made (for logs and tests)

    def backoff(self, attempt: int) -> float:
        """Full jitter: a random wait up to base * 2^attempt, capped."""
        return random.uniform(0, min(self.backoff_cap, self.backoff_base * 2**attempt))

    def get(self, path: str) -> HttpAnswer:
        answer = self._once(path)
        return answer

    def _once(self, path: str) -> HttpAnswer:
        request = urllib.request.Request(self.base_url + path, headers={"Accept": "*/*"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body = response.read()
                headers = {k.lower(): v for k, v in response.headers.items()}
        except urllib.error.HTTPError as error:
            if error.code == 429 or error.code >= 500:
                retry_after = _retry_after(error.headers.get("Retry-After"))
                raise TransientSourceError(
                    f"HTTP {error.code} from {path}", retry_after=retry_after
                ) from error
            raise SourceUnavailable(f"HTTP {error.code} from {path}") from error
        except IncompleteRead as error:
            raise TransientSourceError(f"body of {path} was cut off") from error
        except (TimeoutError, OSError, HTTPException) as error:
            raise TransientSourceError(f"{type(error).__name__} on {path}: {error}") from error
        declared = headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) != len(body):
            raise TransientSourceError(f"body of {path} was cut off")
        return HttpAnswer(body, headers)

    def fetch_parsed[T](self, path: str, parse: Callable[[HttpAnswer], T]) -> T:
        """GET and parse, retrying the pair: a page that does not parse whole is refetched."""
        last: TransientSourceError | None = None
        for attempt in range(self.attempts):
            try:
                return parse(self._once(path))
            except TransientSourceError as error:
                last = error
                if attempt + 1 == self.attempts:
                    break
                self.retries += 1
                wait = self.backoff(attempt)
                if error.retry_after is not None:
                    wait = max(wait, error.retry_after)
                self.sleep(wait)
        raise SourceUnavailable(f"gave up after {self.attempts} attempts: {last}") from last

    def json(self, path: str) -> Any:
        def parse(answer: HttpAnswer) -> Any:
            try:
                return json.loads(answer.body)
            except ValueError as error:
                raise TransientSourceError(f"{path} did not return whole JSON") from error

        return self.fetch_parsed(path, parse)


def _retry_after(value: str | None) -> float | None:
    if value and value.strip().isdigit():
        return float(value.strip())
    return None
