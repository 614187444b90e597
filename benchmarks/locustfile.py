"""Locust load for `make bench`: signed-in work coaches searching, viewing and recording.

The harness (benchmarks/run.py) signs the colleagues in and writes their session cookies, the
seeded searches and the customers to view into $BENCH_LOCUST_DATA.
"""

import itertools
import json
import os
import random
from pathlib import Path

from locust import HttpUser, between, task

DATA = json.loads(Path(os.environ["BENCH_LOCUST_DATA"]).read_text())
_colleague_numbers = itertools.count()


class Colleague(HttpUser):
    # A colleague reads between actions; 1-3 s keeps 50 of them busy but human.
    wait_time = between(1, 3)

    def on_start(self) -> None:
        number = next(_colleague_numbers)
        # The same domain and path as the server set them, so its updates replace them.
        for name, value, domain, path in DATA["sessions"][number % len(DATA["sessions"])]:
            self.client.cookies.set(name, value, domain=domain, path=path)
        self.rng = random.Random(f"bench-load:{number}")

    def _csrf(self) -> str:
        tokens = [c.value for c in self.client.cookies if c.name == "csrftoken"]
        return (tokens[-1] or "") if tokens else ""

    @task(5)
    def search(self) -> None:
        form = self.rng.choice(DATA["searches"])
        data = {**form, "live": "1", "csrfmiddlewaretoken": self._csrf()}
        self.client.post(
            "/customers/", data=data, headers={"HX-Request": "true"}, name="search (live)"
        )

    @task(4)
    def view(self) -> None:
        public_id = self.rng.choice(DATA["customers"])
        self.client.get(f"/customers/{public_id}/", name="customer page")

    @task(1)
    def record_interaction(self) -> None:
        public_id = self.rng.choice(DATA["customers"])
        data = {
            "csrfmiddlewaretoken": self._csrf(),
            "channel": self.rng.choice(["phone", "face_to_face", "video"]),
            "benefits": [],
            "summary": "Bench: customer called about their next payment.",
            "outcome": "Explained the payment date.",
            "follow_up_action": "",
            "follow_up_day": "",
            "follow_up_month": "",
            "follow_up_year": "",
        }
        with self.client.post(
            f"/customers/{public_id}/interactions/",
            data=data,
            headers={"HX-Request": "true"},
            name="record interaction",
            catch_response=True,
        ) as response:
            if response.status_code == 200 and "There is a problem" in response.text:
                response.failure("the interaction form refused the input")
