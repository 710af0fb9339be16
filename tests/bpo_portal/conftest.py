"""A real Celery worker for the tests marked `worker`.

Eager tasks run in the test's own process and transaction, so they cannot show that a task survives
serialisation through the broker or that a separate process sees the rows the web process committed. These
fixtures start `celery worker` as a subprocess on the Redis broker, pointed at pytest-django's test database,
running the portal's own app (wrapped by celery_worker_app for one test-only concern, explained there).
"""

import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connection

from bpo_portal.celery import app as celery_app
from bpo_portal.env import env_bool

WORKER_START_TIMEOUT = 30  # seconds; a cold start on a busy 2-core machine takes about 5


def _why_no_worker() -> str | None:
    if not os.environ.get("REDIS_URL"):
        return "REDIS_URL is not set: worker tests need a real broker."
    if connection.vendor != "postgresql":
        return "Worker tests need a database two processes can share (DATABASE_URL=postgres://...)."
    return None


def _test_database_url() -> str:
    """DATABASE_URL with its database swapped for the test database pytest-django created."""
    return urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{connection.settings_dict['NAME']}").geturl()


def _wait_until_it_answers(process: subprocess.Popen, nodename: str, log_path: Path) -> None:
    deadline = time.monotonic() + WORKER_START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"The Celery worker exited with {process.returncode}:\n{log_path.read_text()}")
        if celery_app.control.ping(destination=[nodename], timeout=1.0):
            return
    pytest.fail(f"The Celery worker did not answer within {WORKER_START_TIMEOUT}s:\n{log_path.read_text()}")


def _stop(process: subprocess.Popen) -> None:
    process.terminate()  # warm shutdown: the solo pool finishes the task in hand, then exits
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, tmp_path_factory):
    """The worker subprocess, started once per session. Skips without Redis unless REQUIRE_WORKER=1 (CI)."""
    reason = _why_no_worker()
    if reason:
        if env_bool("REQUIRE_WORKER", False):
            pytest.fail(f"REQUIRE_WORKER is set but {reason}")
        pytest.skip(reason)

    # Messages left in the queue by an interrupted earlier run would otherwise run against this database.
    celery_app.control.purge()
    process = start_worker(tmp_path_factory.mktemp("celery") / "worker.log")
    try:
        yield process
    finally:
        # Before pytest-django drops the test database, which PostgreSQL refuses while the worker is connected.
        _stop(process)


def start_worker(log_path: Path, *, queue: str | None = None) -> subprocess.Popen:
    """A `celery worker` subprocess on the test database, answering pings; `queue` gives it a queue of its own."""
    nodename = f"pytest-{uuid.uuid4().hex[:8]}@{socket.gethostname()}"
    env = {**os.environ, "DATABASE_URL": _test_database_url(), "PYTHONUNBUFFERED": "1"}
    command = [
        sys.executable, "-m", "celery", "-A", "tests.bpo_portal.celery_worker_app", "worker",
        "--pool=solo", "--concurrency=1", "--loglevel=INFO", f"--hostname={nodename}",
        # A lone test worker has no peers to synchronise with; skipping it saves seconds at start-up.
        "--without-mingle", "--without-gossip",
    ]  # fmt: skip
    if queue:
        command.append(f"--queues={queue}")
    with log_path.open("w") as log:
        process = subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        _wait_until_it_answers(process, nodename, log_path)
    except BaseException:
        _stop(process)
        raise
    process.nodename = nodename
    return process


@pytest.fixture
def celery_worker(celery_worker_process):
    """Send this test's tasks to the worker, whatever an earlier test left in the eager setting."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    yield celery_worker_process
    celery_app.conf.task_always_eager = previous
