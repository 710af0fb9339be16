#!/usr/bin/env python
"""Fault script: what an integration sees when the broker is down or the database restarts, measured in one run.

Not part of the test suite (the behaviour is tested there; this measures it against a real server). It builds its
own PostgreSQL database (DATABASE_URL must name one whose name contains "faults"; it is dropped and re-made),
serves the portal with gunicorn on loopback, and pushes measurements through `POST /api/v1/measurements/`:

1. the broker up, the broker refusing connections, and the broker accepting connections but never answering
   (a silent listener): the median and worst request time of each, every request answered 201, and afterwards
   every batch recomputed (by the worker's task, or by the sweeper once the broker is back);
2. the database restarting: the portal talks to PostgreSQL through a TCP relay on loopback that this script cuts
   for a few seconds, as a restart does, while two clients keep pushing. Every answer is counted by status;
   the run fails on any 500 or connection reset.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bpo_faults_bench .venv/bin/python bench/faults.py

Exits non-zero when a request is lost (a 500, a reset, a batch never recomputed); the timings are reported, never
asserted. Every address it uses is on 127.0.0.1. It takes about a minute.
"""

import argparse
import contextlib
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/13"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=15, help="requests per broker scenario (default 15)")
    parser.add_argument("--outage", type=float, default=3.0, help="seconds the database is away (default 3)")
    parser.add_argument("--redis-url", default=os.environ.get("FAULTS_REDIS_URL", DEFAULT_REDIS_URL))
    return parser.parse_args()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- Helpers on loopback: a silent broker and a database relay that can be cut ----------------------------------


class SilentListener:
    """Accepts TCP connections and never answers: a broker that hangs rather than refuses."""

    def __init__(self):
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(64)
        self.port = self.socket.getsockname()[1]
        self.accepted = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            self.accepted.append(connection)


class Relay:
    """A TCP relay from a loopback port to PostgreSQL. `cut()` drops every connection and refuses new ones, as a
    restarting database does; `restore()` listens again on the same port."""

    def __init__(self, target_port: int):
        self.target_port, self.port = target_port, free_port()
        self.pairs, self.lock, self.listener = [], threading.Lock(), None
        self.restore()

    def restore(self):
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port))
        self.listener.listen(64)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def cut(self):
        with contextlib.suppress(OSError):  # shutdown wakes the thread blocked in accept(); close() alone does not
            self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        with self.lock:
            for pair in self.pairs:
                for side in pair:
                    with contextlib.suppress(OSError):
                        side.shutdown(socket.SHUT_RDWR)
                    side.close()
            self.pairs.clear()

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port))
            except OSError:
                client.close()
                continue
            with self.lock:
                self.pairs.append((client, upstream))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source, sink):
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for side in (source, sink):
                with contextlib.suppress(OSError):
                    side.close()


# --- The portal under test --------------------------------------------------------------------------------------


def prepare_database(url: str) -> None:
    import psycopg2

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if parts.scheme not in ("postgres", "postgresql") or "faults" not in name:
        sys.exit("Set DATABASE_URL to a PostgreSQL database whose name contains 'faults' (it is dropped and re-made).")
    admin = psycopg2.connect(parts._replace(path="/postgres").geturl())
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def seed() -> tuple[int, str]:
    """One engagement with a service-level target, and the provider's integration token."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from engagements import services
    from engagements.choices import Role, TokenKind
    from slas import services as sla_services
    from slas.models import Metric, SLATarget
    from tests import factories

    practice, provider = factories.make_practice("Riverside Eye Care"), factories.make_provider("ClearView")
    practice_manager = factories.make_member(practice, Role.MANAGER)
    provider_manager = factories.make_member(provider, Role.MANAGER)
    engagement = factories.make_engagement(practice, provider, by=practice_manager)
    sla_services.save_target(
        SLATarget(
            engagement=engagement,
            metric=Metric.objects.get(code="service_level"),
            threshold=80,
            effective_from=date.today() - timedelta(days=400),
        ),
        by=practice_manager,
    )
    _, raw = services.create_api_token(
        name="faults", kind=TokenKind.INTEGRATION, by=provider_manager, provider=provider
    )
    return engagement.pk, raw


class Portal:
    """gunicorn serving the portal on loopback with a given database and broker."""

    def __init__(self, database_url: str, broker_url: str, log: Path):
        self.port = free_port()
        env = {
            **{key: value for key, value in os.environ.items() if key != "CELERY_TASK_ALWAYS_EAGER"},
            "DATABASE_URL": database_url,
            "REDIS_URL": broker_url,
            "DEBUG": "0",
            "SECRET_KEY": "faults-script-only",
            "SECURE_SSL_REDIRECT": "0",
            "ALLOWED_HOSTS": "127.0.0.1",
            "DB_CONN_MAX_AGE": "60",
            "LOG_LEVEL": "WARNING",
        }
        self.log = log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "bpo_portal.wsgi", "--workers=2", f"--bind=127.0.0.1:{self.port}"],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/health/", timeout=10)
                return
            except urllib.error.HTTPError:
                return  # it answers (503 while the broker is down is an answer)
            except OSError:
                time.sleep(0.2)
        self.stop()
        sys.exit(f"gunicorn did not start; see {log}")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


_external_ids = iter(range(1, 10**9))


def push(port: int, token: str, engagement_id: int, timeout: float = 30) -> tuple[int | str, float, dict]:
    """One 10-row batch; returns (status or 'reset'/'timeout', seconds, body)."""
    day = date.today() - timedelta(days=5)
    rows = [
        {
            "engagement": engagement_id,
            "metric": "service_level",
            "date": day.isoformat(),
            "external_id": f"faults-{next(_external_ids)}",
            "numerator": 9,
            "denominator": 10,
        }
        for _ in range(10)
    ]
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/measurements/",
        data=json.dumps(rows).encode(),
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        method="POST",
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, time.perf_counter() - started, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        body = error.read()
        return error.code, time.perf_counter() - started, json.loads(body) if body.startswith(b"{") else {}
    except (ConnectionResetError, ConnectionAbortedError, BrokenPipeError):
        return "reset", time.perf_counter() - started, {}
    except TimeoutError:
        return "timeout", time.perf_counter() - started, {}
    except urllib.error.URLError as error:
        kind = "reset" if isinstance(error.reason, ConnectionError) else f"error: {error.reason}"
        return kind, time.perf_counter() - started, {}


# --- Scenarios ------------------------------------------------------------------------------------------------


def broker_scenarios(args, database_url, engagement_id, token, problems) -> list[tuple]:
    silent = SilentListener()
    scenarios = [
        ("broker up", args.redis_url),
        ("broker refusing connections", f"redis://127.0.0.1:{free_port()}/0"),
        ("broker accepting but never answering", f"redis://127.0.0.1:{silent.port}/0"),
    ]
    rows = []
    for name, broker_url in scenarios:
        portal = Portal(database_url, broker_url, Path("/tmp") / f"faults-gunicorn-{name.split()[1]}.log")
        try:
            results = [push(portal.port, token, engagement_id) for _ in range(args.requests)]
        finally:
            portal.stop()
        statuses = {status for status, _, _ in results}
        if statuses != {201}:
            problems.append(f"{name}: answers {sorted(map(str, statuses))}, not all 201")
        times = [seconds for _, seconds, _ in results]
        rows.append((name, len(results), statistics.median(times), max(times), sorted(map(str, statuses))))
    return rows


def database_restart(args, relay, database_url_via_relay, engagement_id, token, problems) -> dict:
    portal = Portal(database_url_via_relay, args.redis_url, Path("/tmp/faults-gunicorn-restart.log"))
    counts, lock, stop = {}, threading.Lock(), threading.Event()
    retry_after = set()

    def client():
        while not stop.is_set():
            status, _, body = push(portal.port, token, engagement_id, timeout=15)
            with lock:
                counts[status] = counts.get(status, 0) + 1
                if status == 503:
                    retry_after.add(body.get("code"))

    threads = [threading.Thread(target=client, daemon=True) for _ in range(2)]
    try:
        for thread in threads:
            thread.start()
        time.sleep(2)
        say("cutting the database")
        relay.cut()
        time.sleep(args.outage)
        relay.restore()
        say("database back")
        time.sleep(3)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        portal.stop()
    if counts.get(500) or counts.get("reset"):
        problems.append(f"database restart: {counts.get(500, 0)} × 500 and {counts.get('reset', 0)} resets")
    if counts.get(503) and retry_after != {"service_unavailable"}:
        problems.append(f"database restart: 503 bodies had codes {retry_after}")
    return counts


def say(message: str) -> None:
    print(f"[faults] {message}", file=sys.stderr, flush=True)


def main():
    args = parse_args()
    signal.signal(signal.SIGALRM, lambda *_: sys.exit("[faults] gave up after 300 s"))
    signal.alarm(300)
    database_url = os.environ.get("DATABASE_URL", "")
    prepare_database(database_url)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bpo_portal.settings")
    os.environ["REDIS_URL"] = args.redis_url
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "1"  # the seed's own recomputes run here; the servers use the broker
    import django

    django.setup()
    engagement_id, token = seed()
    problems = []
    import redis

    redis.Redis.from_url(args.redis_url).flushdb()  # a queue of its own: nothing from an earlier run

    say("seeded; broker scenarios")
    broker_rows = broker_scenarios(args, database_url, engagement_id, token, problems)

    from slas import owed
    from slas.models import IngestBatch, OwedRecompute

    owed_before = OwedRecompute.objects.filter(batch__isnull=False).count()
    swept = owed.sweep(older_than=timedelta(0))  # the broker is back: what the sweeper does on its next run
    never = IngestBatch.objects.filter(recomputed_at__isnull=True).count()
    if never:
        problems.append(f"{never} batches never recomputed")

    parts = urlsplit(database_url)
    relay = Relay(parts.port or 5432)
    via_relay = parts._replace(netloc=f"{parts.username or 'postgres'}@127.0.0.1:{relay.port}").geturl()
    say("database restart")
    restart = database_restart(args, relay, via_relay, engagement_id, token, problems)
    owed.sweep(older_than=timedelta(0))
    never = IngestBatch.objects.filter(recomputed_at__isnull=True).count()
    if never:
        problems.append(f"{never} batches never recomputed after the restart")

    redis.Redis.from_url(args.redis_url).flushdb()  # the servers' messages, done by the sweeper instead
    print("\n## Fault script (bench/faults.py)\n")
    print("| broker | requests | median | worst | statuses |")
    print("|---|---|---|---|---|")
    for name, count, median, worst, statuses in broker_rows:
        print(f"| {name} | {count} | {median * 1000:.0f} ms | {worst * 1000:.0f} ms | {', '.join(statuses)} |")
    print(f"\nBatches owed after the three runs (no worker took them): {owed_before}; the sweeper did {swept['done']};")
    print(f"batches never recomputed: {never}.")
    print(f"\nDatabase away for {args.outage:.0f} s under two pushing clients: answers by status {restart}.")
    if problems:
        print("\nFAILED:\n  " + "\n  ".join(problems))
        sys.exit(1)
    print("\nNo request lost: no 500, no reset, every batch recomputed.")


if __name__ == "__main__":
    main()
