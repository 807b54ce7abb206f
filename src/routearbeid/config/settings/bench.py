"""Settings for the load benchmark (`make bench`): production settings on loopback.

Everything is as in production (DEBUG off, Argon2, the same middleware, database task queue)
except what a plain-HTTP run on 127.0.0.1 cannot have, each relaxed here on purpose:
- no HTTPS: no redirect to https, no HSTS, and cookies not marked Secure (locust speaks http);
- no second login step: locust logs in with a password only (the code step is one extra POST
  per user at login, not part of the measured scenarios);
- a fixed secret key when none is given (the benchmark database is thrown away afterwards);
- the bench-only pages (/bench/: the floor and the unfiltered list) are switched on.
Never use these settings for anything but a benchmark on loopback.
"""

import os

# prod.py refuses to start without a key; the benchmark's database and sessions are throwaway.
os.environ.setdefault("SECRET_KEY", "bench-only-key-for-a-loopback-benchmark")  # bench only

from .prod import *  # noqa: F403

SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = False
SECURE_HSTS_PRELOAD = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
ROUTEARBEID_REQUIRE_2FA = False

# /bench/floor and /bench/jongeren-ongefilterd/ (routearbeid.core.bench_views); off everywhere else.
ROUTEARBEID_BENCH_VIEWS = True
