"""The quarantine in Django admin: every look (list, search, record) is audited, a correction is
saved through the audited service, and a restricted customer's raw payload is hidden from admins
(who are not cleared for restricted records)."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from audit.context import AuditContext, Channel
from audit.models import AccessEvent
from benefits.models import QuarantinedRecord, SyncRun
from benefits.sources import esa, payload_restricted, sp
from benefits.sync.selectors import PAYLOAD_HIDDEN_NOTE, QuarantineShown, quarantine_shown_for
from benefits.sync.services import quarantine_correction_save
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

LIST_URL = reverse("admin:benefits_quarantinedrecord_changelist")


def _uc_payload(*, restricted: bool, family_name: str = "Quarantina") -> str:
    claimant = {"given_names": ["Ann"], "family_name": family_name, "restricted": restricted}
    return json.dumps({"version": 7, "claim": {"nino": "ZX000019B", "claimant": claimant}})


def _quarantined(*, raw_payload: str) -> QuarantinedRecord:
    run = SyncRun.objects.create(source="uc", status="succeeded")
    return QuarantinedRecord.objects.create(
        source="uc",
        sync_run=run,
        position="cursor 0 item 0",
        record_key="ZX000019B",
        raw_payload=raw_payload,
        reason="date of birth is not a real date: '1961-02-30'",
    )


def _change_url(record: QuarantinedRecord) -> str:
    return reverse("admin:benefits_quarantinedrecord_change", args=[record.pk])


def test_opening_a_quarantined_record_in_admin_is_audited(client, admin_user):
    customer = CustomerFactory(nino="ZX000019B")
    record = _quarantined(raw_payload=_uc_payload(restricted=False))
    client.force_login(admin_user)
    response = client.get(_change_url(record))
    assert response.status_code == 200
    assert "Quarantina" in response.content.decode()  # not restricted: the payload is shown
    event = AccessEvent.objects.get(what="quarantined record (admin)")
    assert (event.username, event.channel, event.customer_id, event.detail) == (
        "admin1",
        "admin",
        customer.pk,
        {"record": record.pk, "payload_shown": True},
    )


def test_the_quarantine_list_and_its_search_by_nino_are_audited_without_the_terms(
    client, admin_user
):
    _quarantined(raw_payload=_uc_payload(restricted=False))
    client.force_login(admin_user)
    assert client.get(LIST_URL).status_code == 200
    assert client.get(LIST_URL, {"q": "ZX000019B", "source__exact": "uc"}).status_code == 200
    events = AccessEvent.objects.filter(what="quarantined records").order_by("pk")
    assert [(e.action, e.channel, e.username, e.detail) for e in events] == [
        ("view_fragment", "admin", "admin1", {"search": False, "filters": []}),
        ("search", "admin", "admin1", {"search": True, "filters": ["source__exact"]}),
    ]
    assert "ZX000019B" not in str(list(AccessEvent.objects.values_list("detail", "reason")))


def test_saving_a_correction_in_admin_goes_through_the_audited_service(client, admin_user):
    customer = CustomerFactory(nino="ZX000019B")
    record = _quarantined(raw_payload=_uc_payload(restricted=False))
    client.force_login(admin_user)
    corrected = _uc_payload(restricted=False, family_name="Corrected")
    form = {"corrected_payload": corrected, "resolution_note": "Birth date from the UC team"}
    response = client.post(_change_url(record), {**form, "_save": "Save"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.corrected_payload, record.status) == (corrected, "open")
    event = AccessEvent.objects.get(what="quarantined record corrected")
    assert (event.action, event.channel, event.user, event.customer_id) == (
        "change",
        "admin",
        admin_user,
        customer.pk,
    )
    assert event.detail == {
        "record": record.pk,
        "source": "uc",
        "status": "open",
        "fields": ["corrected_payload", "resolution_note"],
    }
    # Saving again with nothing changed writes nothing.
    client.post(_change_url(record), {**form, "_save": "Save"})
    assert AccessEvent.objects.filter(what="quarantined record corrected").count() == 1


def test_the_correction_service_refuses_a_resolved_record_and_a_role_that_may_not(
    admin_user, work_coach
):
    record = _quarantined(raw_payload=_uc_payload(restricted=False))
    as_coach = AuditContext(user=work_coach, channel=Channel.ADMIN)
    with pytest.raises(PermissionDenied):
        quarantine_correction_save(
            record=record, audit=as_coach, corrected_payload="{}", resolution_note=""
        )
    QuarantinedRecord.objects.filter(pk=record.pk).update(status="discarded")
    as_admin = AuditContext(user=admin_user, channel=Channel.ADMIN)
    with pytest.raises(ValidationError, match="already been resolved"):
        quarantine_correction_save(
            record=record, audit=as_admin, corrected_payload="{}", resolution_note=""
        )
    assert not AccessEvent.objects.filter(what="quarantined record corrected").exists()


@pytest.mark.parametrize("why", ["payload flag", "portal customer"])
def test_a_restricted_customers_payload_is_hidden_from_admins(client, admin_user, why):
    if why == "payload flag":
        record = _quarantined(raw_payload=_uc_payload(restricted=True))
    else:
        CustomerFactory(nino="ZX000019B", restricted=True)
        record = _quarantined(raw_payload=_uc_payload(restricted=False))
    QuarantinedRecord.objects.filter(pk=record.pk).update(corrected_payload="Quarantina kept")
    client.force_login(admin_user)

    page = client.get(_change_url(record)).content.decode()
    assert "Quarantina" not in page
    assert "1961-02-30" not in page
    assert PAYLOAD_HIDDEN_NOTE.replace("'", "&#x27;") in page
    assert "date of birth is not a real date: (hidden)" in page
    event = AccessEvent.objects.get(what="quarantined record (admin)")
    assert event.detail == {"record": record.pk, "payload_shown": False}

    listing = client.get(LIST_URL).content.decode()
    assert "date of birth is not a real date: (hidden)" in listing
    assert "1961-02-30" not in listing

    # The hidden payload is not in the form: a Save keeps the stored one, and the note.
    form = {"corrected_payload": "overwritten", "resolution_note": "Asked the UC team"}
    assert client.post(_change_url(record), {**form, "_save": "Save"}).status_code == 302
    record.refresh_from_db()
    assert (record.corrected_payload, record.resolution_note) == (
        "Quarantina kept",
        "Asked the UC team",
    )


def test_colleagues_cleared_for_restricted_records_see_the_payload(acssl, admin_user):
    record = _quarantined(raw_payload=_uc_payload(restricted=True))
    cleared = quarantine_shown_for(AuditContext(user=acssl, channel=Channel.ADMIN))
    not_cleared = quarantine_shown_for(AuditContext(user=admin_user, channel=Channel.ADMIN))
    assert (cleared.hidden(record), not_cleared.hidden(record)) == (False, True)
    assert cleared.reason(record) == "date of birth is not a real date: '1961-02-30'"


def _esa_identity_line(restricted: str) -> str:
    values = {"seq": "000000000007", "record_type": "01", "nino": "ZX000019B"}
    values["restricted"] = restricted
    return "".join(values.get(name, "").ljust(width) for name, width in esa.IDENTITY)


def _sp_rows(restricted: str) -> str:
    row = {"record_type": "AWARD", "seq": "7", "nino": "ZX000019B", "restricted": restricted}
    return ",".join(sp.COLUMNS) + "\r\n" + ",".join(row.get(name, "") for name in sp.COLUMNS)


@pytest.mark.parametrize(
    ("source", "payloads"),
    [
        ("uc", [_uc_payload(restricted=True), _uc_payload(restricted=False), "{not json"]),
        (
            "pip",
            [
                '<Award><Claimant restricted="Y"/></Award>',
                '<Award><Claimant restricted="N"/></Award>',
                '<Award><Claimant restricted="?"/></Award>',
            ],
        ),
        ("esa", [_esa_identity_line("Y"), _esa_identity_line("N"), _esa_identity_line("X")]),
        ("sp", [_sp_rows("Y"), _sp_rows("N"), "AWARD,7"]),
    ],
)
def test_each_sources_restricted_flag_is_read_from_a_damaged_payload(source, payloads):
    flagged, not_flagged, unreadable = payloads
    assert payload_restricted(source, flagged) is True
    assert payload_restricted(source, not_flagged) is False
    assert payload_restricted(source, unreadable) is None  # perhaps restricted: hidden


def test_a_payload_too_damaged_to_say_is_hidden(admin_user):
    record = _quarantined(raw_payload="{not json")
    assert quarantine_shown_for(AuditContext(user=admin_user, channel=Channel.ADMIN)).hidden(record)


@pytest.mark.parametrize(
    ("reason", "shown"),
    [
        ("date of birth is out of range (1869-01-01)", "date of birth is out of range (hidden)"),
        ("invalid NINO 'ZX12 34': too short", "invalid NINO (hidden): too short"),
        ("""family name "O'Brien\\x00" contains a NUL""", "family name (hidden) contains a NUL"),
    ],
)
def test_a_hidden_records_reason_keeps_its_words_but_not_the_values_it_quotes(reason, shown):
    record = _quarantined(raw_payload=_uc_payload(restricted=True))
    record.reason = reason
    assert QuarantineShown(cleared=False).reason(record) == shown
    assert QuarantineShown(cleared=True).reason(record) == reason
