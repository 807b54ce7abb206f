"""Load scenarios for `make bench`: what people do, weighted, against a server on loopback only.

    BENCH_MEASURE=6m locust -f bench/locustfile.py --headless --host http://127.0.0.1:8765 \
        -u 16 -r 4 -t 15m --csv var/bench/locust

Every simulated person holds three logins (bench/generate.py writes them to the plan): a
school coordinator, a partner (work-service client manager or RMC officer, taken in turn) and
the route coordinator of the school's region. The mix of scenarios (weights, in percent of the
work scenarios):

    werkvoorraad 25   the worklist, as the school or the partner
    youth page   25   /jongeren/<id>/ of a youth that login may see (sampled through selectors)
    search       15   /jongeren/?q=<four letters of a surname>
    check-in     10   POST the "checkin" action on a youth's page (school)
    transition   10   POST "involvement-request" or "aba-submit" on a case in consultation (school)
    API list     10   GET /api/v1/cases with a Bearer token (skipped while the API is not there)
    outflow meeting 5 /uitstroomtafels/<id>/ as the route coordinator or the school

and beside them, in the same run: the floor (/bench/floor/, 10) and the youth list with and
without the permission filter for the same login (/jongeren/ and /bench/jongeren-ongefilterd/,
5 and 5, as school and as work service). POSTs are measured without following the redirect.
A page sent without the navigation's worklist count (none kept in the session) is followed, as
a browser would, by the request that loads it (htmx, /werkvoorraad/teller/): measured apart as
"navigation badge", after the page's own time.

People think between clicks: BENCH_WAIT ("min:max" seconds, default "1:5"). The statistics
are reset a few seconds after the last person has logged in (three Argon2 logins a person are
no scenario), and the run stops BENCH_MEASURE (default "6m") later: the table covers that
steady state only. BENCH_PLAN (default
var/bench/plan.json); BENCH_SAMPLES: raw timings per scenario and login, for bench/report.py.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import random
import re
import urllib.error
import urllib.request
from collections import defaultdict
from pathlib import Path

import gevent
from locust import HttpUser, between, events, task
from locust.clients import HttpSession

ROOT = Path(__file__).resolve().parents[1]
PLAN = json.loads(Path(os.environ.get("BENCH_PLAN", ROOT / "var/bench/plan.json")).read_text())
SAMPLES_PATH = Path(os.environ.get("BENCH_SAMPLES", ROOT / "var/bench/samples.json"))
WAIT = [float(x) for x in os.environ.get("BENCH_WAIT", "1:5").split(":")]
WARM_UP_SECONDS = 3  # after the last login, before the statistics are reset
# the navigation's count, loaded after a page that came without it (core/_worklist_badge.html)
BADGE = re.compile(r'<span id="ra-worklist-badge"[^>]* hx-get="([^"]+)"')


def _seconds(text: str) -> float:
    """ "6m", "90s" or "120" (seconds)."""
    text = text.strip()
    factor = {"m": 60, "s": 1, "h": 3600}.get(text[-1:], 1)
    return float(text.rstrip("mhs")) * factor


# How long to measure after the warm-up; locust's own -t is only a safety net above it.
MEASURE_SECONDS = _seconds(os.environ.get("BENCH_MEASURE", "6m"))
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SITUATIONS = ["working_same_employer", "working_other_employer", "dual_track", "education"]

_numbers = itertools.count()
_claimed: set = set()
_samples: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
API = {"present": None}
_logged_in = {"people": 0}


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception, context, **kw):
    if exception is None and context and "role" in context:
        _samples[name][context["role"]].append(response_time)


@events.test_start.add_listener
def _probe_api(environment, **kw):
    """Whether /api/v1/cases exists: without a token it answers 401/403, else 404."""
    try:
        urllib.request.urlopen(f"{environment.host}/api/v1/cases", timeout=10)
        API["present"] = True
    except urllib.error.HTTPError as error:
        API["present"] = error.code != 404
    except OSError:
        API["present"] = False
    if not API["present"]:
        print("bench: /api/v1/cases is not there (404): the API scenario is skipped")


@events.quitting.add_listener
def _write_samples(environment, **kw):
    SAMPLES_PATH.parent.mkdir(parents=True, exist_ok=True)
    SAMPLES_PATH.write_text(
        json.dumps({"api_present": API["present"], "samples": _samples}, separators=(",", ":"))
    )


def _start_measuring(environment) -> None:
    """Logging in (Argon2, 3 logins a person) is no scenario: measure from when all are in."""
    environment.runner.stats.reset_all()
    _samples.clear()
    print(f"bench: everyone logged in; statistics reset, measuring for {MEASURE_SECONDS:.0f} s")
    gevent.spawn_later(MEASURE_SECONDS, environment.runner.quit)


class Login:
    """One identity with its own cookie jar (session and CSRF cookies)."""

    def __init__(self, user: HttpUser, entry: dict, role: str, client: HttpSession | None = None):
        self.entry = entry
        self.role = role
        self.client = client or HttpSession(
            base_url=user.host, request_event=user.environment.events.request, user=user
        )
        self.csrf = ""

    def login(self) -> None:
        page = self.client.get("/inloggen/", name="(login)")
        token = CSRF.search(page.text)
        with self.client.post(
            "/inloggen/",
            data={
                "username": self.entry["username"],
                "password": PLAN["password"],
                "csrfmiddlewaretoken": token.group(1) if token else "",
                "next": "/werkvoorraad/",
            },
            name="(login)",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"login of {self.entry['username']}: {response.status_code}")
                return
        # Logging in rotates the CSRF token: take the new one from a page with forms.
        page = self.client.get("/werkvoorraad/", name="(login)")
        token = CSRF.search(page.text)
        self.csrf = token.group(1) if token else ""

    def get(self, path: str, name: str, **kwargs):
        with self.client.get(
            path,
            name=name,
            allow_redirects=False,
            catch_response=True,
            context={"role": self.role},
            **kwargs,
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} for {path}")
        badge = BADGE.search(response.text) if response.status_code == 200 else None
        if badge:
            with self.client.get(
                badge.group(1),
                name="navigation badge",
                headers={"HX-Request": "true"},
                allow_redirects=False,
                catch_response=True,
                context={"role": self.role},
            ) as loaded:
                if loaded.status_code != 200 or "ra-worklist-badge" not in loaded.text:
                    loaded.failure(f"{loaded.status_code} for {badge.group(1)}")
        return response

    def post(self, path: str, name: str, data: dict):
        with self.client.post(
            path,
            data={"csrfmiddlewaretoken": self.csrf, **data},
            headers={"Referer": f"{self.client.base_url}{path}"},
            name=name,
            allow_redirects=False,
            catch_response=True,
            context={"role": self.role},
        ) as response:
            if response.status_code != 302:
                # 200 is the page again with the refusal beside the form
                response.failure(f"{response.status_code} for {path}")
        return response


def _claim(pool: list, key) -> list | None:
    """The first item of the pool nobody took yet (all simulated people share one process)."""
    while pool:
        item = pool.pop()
        if (key, repr(item)) not in _claimed:
            _claimed.add((key, repr(item)))
            return item
    return None


class Person(HttpUser):
    wait_time = between(*WAIT)

    def on_start(self) -> None:
        number = next(_numbers)
        school = PLAN["school"][number % len(PLAN["school"])]
        partner = PLAN["partner"][number % len(PLAN["partner"])]
        coordinator = next(
            (c for c in PLAN["coordinator"] if c["region_id"] == school["region_id"]),
            PLAN["coordinator"][0],
        )
        self.rng = random.Random(number)
        self.school = Login(self, school, "school", self.client)
        self.partner = Login(self, partner, partner["role"])
        self.coordinator = Login(self, coordinator, "route coordinator")
        for login in (self.school, self.partner, self.coordinator):
            login.login()
        _logged_in["people"] += 1
        runner = self.environment.runner
        target = (
            getattr(runner, "target_user_count", None) or self.environment.parsed_options.num_users
        )
        if _logged_in["people"] == target:
            gevent.spawn_later(WARM_UP_SECONDS, _start_measuring, self.environment)
        # Each person works through their own copy of the school's pools, claiming items so
        # that two people never record the same check-in or ask the same organisation twice.
        self.checkins = school["checkins"][:]
        self.transitions = school["transitions"][:]
        self.rng.shuffle(self.checkins)
        self.rng.shuffle(self.transitions)

    def _either(self, school_share: float) -> Login:
        return self.school if self.rng.random() < school_share else self.partner

    # --- the work scenarios ----------------------------------------------------------------

    @task(25)
    def werkvoorraad(self) -> None:
        self._either(0.5).get("/werkvoorraad/", "werkvoorraad")

    @task(25)
    def youth_page(self) -> None:
        login = self._either(0.6)
        if login.entry["students"]:
            login.get(f"/jongeren/{self.rng.choice(login.entry['students'])}/", "youth page")

    @task(15)
    def search(self) -> None:
        login = self._either(0.6)
        if login.entry["search"]:
            login.get("/jongeren/", "search", params={"q": self.rng.choice(login.entry["search"])})

    @task(10)
    def checkin(self) -> None:
        item = _claim(self.checkins, ("checkin", self.school.entry["username"]))
        if item is None:
            return
        student_id, check_id = item
        self.school.post(
            f"/jongeren/{student_id}/actie/checkin/",
            "record check-in",
            {
                "checkin-check": check_id,
                "checkin-recorded_on": dt.date.today().isoformat(),
                "checkin-contact_made": "yes",
                "checkin-situation": self.rng.choice(SITUATIONS),
                "checkin-notes": "Gebeld met de jongere; het gaat goed op het werk.",
                "checkin-follow_up": "",
            },
        )

    @task(10)
    def transition(self) -> None:
        item = _claim(self.transitions, ("transition", self.school.entry["username"]))
        if item is None:
            return
        student_id, action, organisation_id = item
        if action == "aba-submit":
            data = {"aba-submit-submitted_on": dt.date.today().isoformat()}
        else:
            data = {"involvement-request-organisation": organisation_id}
        self.school.post(f"/jongeren/{student_id}/actie/{action}/", "transition", data)

    @task(10)
    def api_list(self) -> None:
        login = self._either(0.5)
        if not API["present"] or not login.entry.get("token"):
            return
        login.get(
            "/api/v1/cases",
            "API list",
            headers={"Authorization": f"Bearer {login.entry['token']}"},
        )

    @task(5)
    def outflow_meeting(self) -> None:
        login = self.coordinator if self.rng.random() < 0.5 else self.school
        meetings = login.entry.get("meetings") or self.coordinator.entry.get("meetings")
        if meetings:
            login.get(f"/uitstroomtafels/{self.rng.choice(meetings)}/", "outflow meeting")

    # --- the floor and the permission-filter comparison ----------------------------------------

    @task(10)
    def floor(self) -> None:
        self.school.get("/bench/floor/", "floor", params={"school": self.school.entry["school_id"]})

    @task(5)
    def list_filtered(self) -> None:
        login = self._either(0.5)
        login.get("/jongeren/", f"list filtered ({_kind(login)})")

    @task(5)
    def list_unfiltered(self) -> None:
        login = self._either(0.5)
        login.get("/bench/jongeren-ongefilterd/", f"list unfiltered ({_kind(login)})")


def _kind(login: Login) -> str:
    return "school" if login.role == "school" else "partner"
