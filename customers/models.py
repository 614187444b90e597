"""Customers: the portal's one record per person, keyed by NINO, and each legacy system's copy."""

import re
import uuid
from typing import Any

import pgtrigger
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Upper

from core.history import track_changes
from customers.nino import format_nino

nino_validator = RegexValidator(r"^[A-Z]{2}\d{6}[A-D]$", "Store NINOs normalised: AB123456C.")


class Source(models.TextChoices):
    """Where a row came from: one of the four legacy systems, or a colleague in the portal."""

    UC = "uc", "Universal Credit service"
    PIP = "pip", "PIPCS"
    ESA = "esa", "JSAPS"
    SP = "sp", "PSCS"
    PORTAL = "portal", "Portal"


class Benefit(models.TextChoices):
    UC = "uc", "Universal Credit"
    PIP = "pip", "Personal Independence Payment"
    ESA = "esa", "Employment and Support Allowance"
    SP = "sp", "State Pension"


def search_name_for(first_name: str, middle_names: str, last_name: str) -> str:
    """Lower-case words, apostrophes dropped, hyphens split: "O'Brien-Smith" -> "obrien smith"."""
    text = " ".join(p for p in (first_name, middle_names, last_name) if p).lower()
    text = re.sub(r"['\u2019`]", "", text)
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def _search_words_sql(column: str) -> str:
    """SQL for search_name_for() of one column, split into its words (one row per word)."""
    normalised = (
        # \u2019: the regex escape for a curly apostrophe (search_name_for drops it too).
        f"trim(regexp_replace(regexp_replace(lower({column}), '[''\\u2019`]', '', 'g'), "
        "'[^a-z0-9]+', ' ', 'g'))"
    )
    return f"regexp_split_to_table({normalised}, ' ')"


# The name-word lexicon from a set of customer rows (`source`: the trigger's transition table,
# or the customer table for the migration's backfill). Sorted, so one statement takes the
# unique index's locks in order (two sync pages that each add new words in two statements can
# still wait on or deadlock with each other; the sync retries a deadlocked page). NOT EXISTS
# first, so known words cost one index probe.
NAME_WORDS_INSERT_SQL = f"""
INSERT INTO customers_customernameword (kind, key, word)
SELECT DISTINCT names.kind, names.key, w.word
FROM (
    SELECT 'l' AS kind, upper(last_name) AS key, last_name AS name FROM {{source}}
    UNION
    SELECT 'f', upper(first_name), first_name FROM {{source}}
) AS names
CROSS JOIN LATERAL {_search_words_sql("names.name")} AS w(word)
WHERE w.word <> ''
  AND NOT EXISTS (
    SELECT 1 FROM customers_customernameword AS known
    WHERE known.kind = names.kind AND known.key = names.key AND known.word = w.word
  )
ORDER BY 1, 2, 3
ON CONFLICT (kind, key, word) DO NOTHING
"""


def _name_words_trigger(operation: pgtrigger.Operation, name: str) -> pgtrigger.Trigger:
    return pgtrigger.Trigger(
        name=name,
        level=pgtrigger.Statement,
        when=pgtrigger.After,
        operation=operation,
        referencing=pgtrigger.Referencing(new="new_rows"),
        func=NAME_WORDS_INSERT_SQL.format(source="new_rows") + "; RETURN NULL;",
    )


@track_changes
class Customer(models.Model):
    """One person DWP serves. Identity is the portal's best view across the legacy systems."""

    # URLs use public_id, never the NINO or the sequential key.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    nino = models.CharField("NINO", max_length=9, unique=True, validators=[nino_validator])
    first_name = models.CharField(max_length=100)
    middle_names = models.CharField(max_length=200, blank=True)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    date_of_death = models.DateField(null=True, blank=True)
    address_line_1 = models.CharField(max_length=200, blank=True)
    address_line_2 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    # Restricted records (e.g. at risk of domestic abuse) open only to cleared colleagues.
    restricted = models.BooleanField(default=False)
    # Lower-case "first middle last", for trigram name search.
    search_name = models.CharField(max_length=400, blank=True, editable=False)
    benefits_held = models.JSONField(default=list, blank=True)
    # Which source and which sync run last wrote this row (null: created in the portal).
    last_source = models.CharField(max_length=10, choices=Source.choices, blank=True)
    last_sync_run = models.ForeignKey(
        "benefits.SyncRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            GinIndex(OpClass("search_name", name="gin_trgm_ops"), name="customer_search_name_trgm"),
            GinIndex(OpClass("last_name", name="gin_trgm_ops"), name="customer_last_name_trgm"),
            models.Index(Upper("last_name"), "date_of_birth", name="customer_surname_dob"),
            # Name search: the surnames and first names the lexicon matched (CustomerNameWord).
            models.Index(Upper("last_name"), Upper("first_name"), name="customer_names"),
            # A first name typed alone: its customers in name order, straight from the index.
            models.Index(Upper("first_name"), Upper("last_name"), name="customer_first_names"),
            # Name + date of birth search: the date narrows a million rows to a few dozen.
            models.Index(fields=["date_of_birth"], name="customer_dob"),
            models.Index(
                OpClass("postcode", name="varchar_pattern_ops"), name="customer_postcode_prefix"
            ),
        ]
        permissions = [("view_restricted_customer", "Can open restricted customer records")]
        # Every write — the ORM's, the admin's, the sync's bulk upserts — keeps the name-word
        # lexicon current (one set-based statement per write statement).
        triggers = [
            _name_words_trigger(pgtrigger.Insert, "customer_name_words_insert"),
            _name_words_trigger(pgtrigger.Update, "customer_name_words_update"),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({format_nino(self.nino)})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Bulk sync writes compute search_name themselves with search_name_for().
        self.search_name = search_name_for(self.first_name, self.middle_names, self.last_name)
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.middle_names, self.last_name) if p)

    @property
    def nino_display(self) -> str:
        return format_nino(self.nino)


class CustomerNameWord(models.Model):
    """One word of a first name or surname some customer has (or had): the name search lexicon.

    Kept by triggers on Customer, never written by the application. 16,813 rows for the
    benchmark's million synthetic customers (the names people share), so a typed word finds the
    similar names in milliseconds, and the customers with those names come from the
    customer_names index. A name nobody has any more stays; it only matches no customer.
    """

    class Kind(models.TextChoices):
        FIRST = "f", "First name"
        LAST = "l", "Surname"

    kind = models.CharField(max_length=1, choices=Kind.choices)
    # The name as the customer_names index has it: UPPER(first_name) or UPPER(last_name).
    key = models.CharField(max_length=200)
    # One word of search_name_for(name): "O'Brien-Smith" gives "obrien" and "smith".
    word = models.CharField(max_length=100)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "key", "word"], name="customer_name_word_unique"
            )
        ]
        indexes = [
            # No pending list: the sync's first load adds every word through the triggers,
            # and searches would scan an uncleaned pending list until autovacuum came by.
            GinIndex(
                OpClass("word", name="gin_trgm_ops"),
                name="customer_name_word_trgm",
                fastupdate=False,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.key}: {self.word}"


@track_changes
class SourceIdentity(models.Model):
    """A legacy system's own copy of the customer's identity: disagreements are shown."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="identities")
    source = models.CharField(max_length=10, choices=Source.choices)
    first_name = models.CharField(max_length=100)
    middle_names = models.CharField(max_length=200, blank=True)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    date_of_death = models.DateField(null=True, blank=True)
    address_line_1 = models.CharField(max_length=200, blank=True)
    address_line_2 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    source_version = models.BigIntegerField(default=0)
    sync_run = models.ForeignKey(
        "benefits.SyncRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["customer", "source"], name="one_identity_per_source")
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} identity of {self.customer_id}"


class Channel(models.TextChoices):
    """How a colleague and the customer were in touch."""

    PHONE = "phone", "Phone"
    FACE_TO_FACE = "face_to_face", "Face to face"
    VIDEO = "video", "Video call"
    LETTER = "letter", "Letter"
    EMAIL = "email", "Email"
    HOME_VISIT = "home_visit", "Home visit"


@track_changes
class Interaction(models.Model):
    """A contact between a colleague and the customer, recorded so nobody asks twice."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="interactions")
    channel = models.CharField(max_length=20, choices=Channel.choices)
    # Benefit codes (Benefit values) the contact was about; empty: general.
    benefits = models.JSONField(default=list, blank=True)
    summary = models.TextField(max_length=2000)
    outcome = models.TextField(max_length=2000, blank=True)
    follow_up_action = models.CharField(max_length=300, blank=True)
    follow_up_date = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="recorded_interactions"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["customer", "-recorded_at"], name="interaction_customer_recent")
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} on {self.recorded_at:%Y-%m-%d}"

    @property
    def benefit_labels(self) -> list[str]:
        return [Benefit(code).label for code in self.benefits if code in Benefit.values]


class CustomerVisit(models.Model):
    """When a colleague last opened a customer's record: for "what has changed since"."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    last_opened_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "customer"], name="one_visit_per_colleague")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} opened {self.customer_id} at {self.last_opened_at}"
