"""Two sources' pages applied at the same time for one customer: the customer row is derived from
both. (The fault-matrix test found the race under load: a page that read every source's copy
before the other page committed wrote back benefits_held without the other page's award.)"""

import dataclasses
import threading
import time

import pytest
from django.db import connection, transaction

from benefits.models import SyncRun, UniversalCreditAward
from benefits.sources import client_for
from benefits.sources.base import SourceRecord
from benefits.sync import apply as apply_module
from benefits.sync.apply import records_apply
from customers.models import Customer
from tests.benefits.conftest import sync_inline

pytestmark = pytest.mark.django_db(transaction=True)


def latest_records(source: str) -> dict[str, SourceRecord]:
    """Each customer's newest record in the source's feed, read to its end."""
    client, position = client_for(source), ""
    latest: dict[str, SourceRecord] = {}
    while True:
        page = client.read_page(position)
        for record in page.records:
            if record.nino not in latest or record.version > latest[record.nino].version:
                latest[record.nino] = record
        if not page.has_more:
            return latest
        position = page.next_position


def test_a_uc_page_and_a_pip_page_at_once_both_reach_the_customer(legacy, monkeypatch):
    pip_run = sync_inline("pip")
    uc, pip = latest_records("uc"), latest_records("pip")
    nino = next(
        n
        for n in uc
        if n in pip and uc[n].award.status != "closed" and pip[n].award.status != "closed"
    )
    uc_run = SyncRun.objects.create(source="uc", status=SyncRun.Status.SUCCEEDED)
    pip_at_refresh, uc_written = threading.Event(), threading.Event()
    refresh = apply_module._customers_refresh

    def pip_waits_for_uc(cursor, source, run_id):
        # The PIP page has written its award and stops just before deriving the customer
        # until the UC page has written (not yet committed) the customer's UC award.
        if source == "pip":
            pip_at_refresh.set()
            uc_written.wait(10)
        return refresh(cursor, source, run_id)

    monkeypatch.setattr(apply_module, "_customers_refresh", pip_waits_for_uc)
    errors: list[Exception] = []

    def uc_page() -> None:
        try:
            pip_at_refresh.wait(10)
            with transaction.atomic():
                records_apply(source="uc", records=[uc[nino]], run_id=uc_run.pk)
                uc_written.set()
                time.sleep(1)  # commits after the PIP page has begun deriving the customer
        except Exception as error:  # the assertion below reports it
            errors.append(error)
        finally:
            connection.close()

    def pip_page() -> None:
        try:
            old = pip[nino]
            newer = dataclasses.replace(
                old,
                version=old.version + 1000,
                identity=dataclasses.replace(old.identity, address_line_1="1 New Street"),
            )
            with transaction.atomic():
                records_apply(source="pip", records=[newer], run_id=pip_run.pk)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=uc_page), threading.Thread(target=pip_page)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    # The two pages did overlap.
    assert pip_at_refresh.is_set()
    assert uc_written.is_set()
    customer = Customer.objects.get(nino=nino)
    assert UniversalCreditAward.objects.filter(customer=customer).exists()
    assert customer.benefits_held == ["uc", "pip"]
