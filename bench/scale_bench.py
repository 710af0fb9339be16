#!/usr/bin/env python
"""Scale mode (issue 14): the same measurements at 1 million and at 20 million rows, in ONE run, as ratios.

Not part of the test suite. Like slas_bench.py it drops and re-creates the database DATABASE_URL names (the name
must contain "bench"). For each size it generates the history with COPY straight into the measurement table (its
indexes dropped first and built after, as a real backfill tool would), then measures:

(a) a 10,000-row batch through the service against COPY of 10,000 rows into the same table, and COPY into a copy of
    the table with only its primary key, then with each index alone (what each index costs);
(b) a backfill of one more engagement's year of per-agent history (50 agents × 12 metrics × 365 days ≈ 219,000
    rows) through `slas.backfill` (the `backfill_measurements` command's path), its one recompute with breaches
    and the digest, against the steady-state hand SQL over the same periods;
(c) the incremental recompute after a 1,000-row batch (median of 3);
(d) the nightly job (`slas.tasks.recompute_recent`, median of 3);
(e) GET /api/v1/kpis/ and /api/v1/breaches/ first page, the engagement SLA page and the portfolio page as the
    provider's manager (who sees every engagement): median of 7, their query counts, and how many of those queries
    read the measurement table;
(f) one agent's weekly values of four metrics over 12 weeks (`slas.evidence.agent_weekly_values`, median of 21);
and the peak Python memory (tracemalloc) of a 10,000-row request and of the backfill's read-validate-plan loop.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bpo_scale_bench .venv/bin/python bench/scale_bench.py --scale 0.05

`--scale 1` is 1,000,000 and 20,000,000 rows. See bench/README.md ("Scale mode") for the results.
"""

import argparse
import io
import os
import random
import statistics
import sys
import time
import tracemalloc
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import slas_bench as base  # noqa: E402 - the 1M benchmark's data set, SQL and report

WEEKLY_METRICS = ["service_level", "first_call_resolution", "average_talk_time", "quality_score"]
RATIO_TARGETS = {"incremental": 1.25, "nightly": 1.25, "pages": 1.25, "agent": 1.25}
BACKFILL_TARGET, INGEST_TARGET = 3.0, 2.0
LEAN_ROWS = 1_000_000  # rows already in each lean table before its timed COPY (the same at both sizes)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1: 1,000,000 and 20,000,000 rows")
    parser.add_argument("--engagements", type=int, default=200)
    parser.add_argument("--agents", type=int, default=50)
    parser.add_argument("--seed", type=int, default=20250101)
    parser.add_argument(
        "--sizes", help="the two sizes, e.g. 250000,2500000 (default: 1,000,000 and 20,000,000 times --scale)"
    )
    args = parser.parse_args(argv)
    args.redis_url, args.days = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/10"), 365
    if args.sizes:
        args.sizes = [int(size) for size in args.sizes.split(",")]
    else:
        args.sizes = [round(1_000_000 * args.scale), round(20_000_000 * args.scale)]
    return args


class Lines(io.TextIOBase):
    """A file-like object over a generator of COPY lines, so COPY streams without the text in memory."""

    def __init__(self, lines):
        self.lines, self.buffer = lines, ""

    def readable(self):
        return True

    def read(self, size=-1):
        while size < 0 or len(self.buffer) < size:
            chunk = "".join(line for _, line in zip(range(2000), self.lines, strict=False))
            if not chunk:
                break
            self.buffer += chunk
        if size < 0:
            size = len(self.buffer)
        out, self.buffer = self.buffer[:size], self.buffer[size:]
        return out

    readline = read


def history_lines(world, engagements, total, days, batch_id, seed, tag="h"):
    """`total` rows over the last `days` days, spread evenly over (engagement, metric, day) cells, one per agent."""
    rng = random.Random(seed)
    cells = days * len(engagements) * len(base.METRICS)
    metric_ids = [(world.metrics[c].pk, world.lines.get(line) if line else None, gen) for c, (line, gen) in
                  base.METRICS.items()]  # fmt: skip
    cell = 0
    for offset in range(days):
        day = world.last_day - timedelta(days=days - 1 - offset)
        iso, penalty = day.isoformat(), 0.3 if day.weekday() == 0 else 0.0
        for engagement in engagements:
            quality, agents = world.quality[engagement.pk] - penalty, world.agents[engagement.pk]
            for index, (metric_id, line, generate) in enumerate(metric_ids):
                count = (cell + 1) * total // cells - cell * total // cells
                cell += 1
                line_text = "\\N" if line is None else str(line)
                for k in range(count):
                    amounts = generate(rng, quality)
                    if "value" in amounts:
                        n, d = amounts["value"], 1
                    else:
                        n, d = amounts["numerator"], amounts["denominator"]
                    agent = agents[(offset + index * 7 + k) % len(agents)]
                    yield (
                        f"{engagement.pk}\t{metric_id}\t{line_text}\t{agent}\t{iso}\t{Decimal(str(n)):f}\t{d}\t"
                        f"{tag}-{metric_id}-{iso}-{k}\t{batch_id}\n"
                    )


def history_records(world, engagement, days, seed):
    """The backfill engagement's year, per agent, as the provider's export (ingest columns)."""
    rng = random.Random(seed)
    agents = world.agents[engagement.pk]
    for offset in range(days):
        day = world.last_day - timedelta(days=days - 1 - offset)
        iso, penalty = day.isoformat(), 0.3 if day.weekday() == 0 else 0.0
        for code, (line, generate) in base.METRICS.items():
            for agent in agents:
                amounts = generate(rng, world.quality[engagement.pk] - penalty)
                record = {"engagement": engagement.pk, "metric": code, "agent": agent, "date": iso,
                          "external_id": f"bf-{code}-{iso}-{agent}", **amounts}  # fmt: skip
                if line:
                    record["service_line"] = line
                yield record


# --- Indexes ------------------------------------------------------------------------------------------------------


def measurement_indexes():
    """(name, CREATE statement) of every index but the primary key; constraints as ALTER TABLE statements."""
    constraint = base.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'slas_measurement'::regclass "
        "AND contype = 'u'"
    )
    unique = {name for name, _ in constraint}
    plain = base.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'slas_measurement' AND indexname NOT LIKE "
        "'%%_pkey'"
    )
    result = [(n, d) for n, d in plain if n not in unique]
    result += [(n, f'ALTER TABLE slas_measurement ADD CONSTRAINT "{n}" {d}') for n, d in constraint]
    return result


def drop_indexes(indexes):
    for name, statement in indexes:
        if statement.startswith("ALTER TABLE"):
            base.execute(f'ALTER TABLE slas_measurement DROP CONSTRAINT "{name}"')
        else:
            base.execute(f'DROP INDEX "{name}"')


def copy_rows(text_lines, table="slas_measurement"):
    from django.db import connection

    sql = base.COPY_SQL.replace("slas_measurement", table)
    with connection.cursor() as cursor:
        cursor.copy_expert(sql, Lines(text_lines))


# --- One size ------------------------------------------------------------------------------------------------------


def median_time(work, times):
    timings = []
    for _ in range(times):
        started = time.perf_counter()
        work()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def reset():
    base.execute(
        "TRUNCATE slas_measurement, slas_kpivalue, slas_breach, slas_remediationplan, engagements_notification, "
        "slas_owedrecompute, slas_ingestbatch_engagements, slas_ingestbatch RESTART IDENTITY CASCADE"
    )


def measure(world, backfill_engagement, size, args, row):
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from engagements.models import Notification
    from slas import backfill, owed, rollups, services, tasks
    from slas.evidence import agent_weekly_values
    from slas.models import Breach, IngestBatch

    reset()
    engagements = world.engagements
    days = min(365, max(7, round(size / (len(engagements) * len(base.METRICS) * args.agents))))
    if size == args.sizes[0]:  # the small size: about one row per cell, as the 1M bench
        days = min(365, max(7, size // (len(engagements) * len(base.METRICS))))
    row["layout"] = f"{days} days, {size / (len(engagements) * len(base.METRICS) * days):.1f} rows per cell"
    indexes = measurement_indexes()
    drop_indexes(indexes)
    batch = IngestBatch.objects.create(submitted_by=world.ingester, source="backfill")
    started = time.perf_counter()
    copy_rows(history_lines(world, engagements, size, days, batch.pk, args.seed))
    row["generate+COPY"] = time.perf_counter() - started
    built = {}
    for name, statement in indexes:
        started = time.perf_counter()
        base.execute(statement)
        built[name] = time.perf_counter() - started
    row["index builds"] = built
    base.vacuum("slas_measurement", "slas_measurementday")
    sizes = base.execute(
        "SELECT pg_relation_size('slas_measurement'), pg_indexes_size('slas_measurement'), "
        "pg_total_relation_size('slas_measurement'), pg_total_relation_size('slas_measurementday'), "
        "(SELECT count(*) FROM slas_measurementday)"
    )[0]
    row["disk"] = sizes
    # The first recompute of the bulk history, then the steady state, so the rest is measured on settled data.
    started = time.perf_counter()
    rollups.recompute_since(world.first_day)
    row["bulk first recompute"] = time.perf_counter() - started
    Breach.objects.update(notified_at=None)  # not measured: the bulk history's announcements
    rng = random.Random(args.seed + 7)

    # (a) service ingest of a 10,000-row batch vs COPY of 10,000 rows, same table; lean table and each index.
    def fresh(tag, count=base.BATCH_ROWS, day=None):
        return base.late_records(world, day or world.last_day, count, tag, rng)

    service = []
    for trial in range(3):
        records = fresh(f"svc{trial}")
        with base.recompute_task_not_sent():
            started = time.perf_counter()
            services.ingest_measurements(records, by=world.ingester)
            service.append(time.perf_counter() - started)
    copies = []
    for trial in range(3):
        text = base.copy_text(world, fresh(f"cp{trial}"), batch.pk)
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.copy_expert(base.COPY_SQL, text)
        copies.append(time.perf_counter() - started)
    row["service 10k"], row["COPY 10k"] = statistics.median(service), statistics.median(copies)
    # What keeping the days costs a COPY: the same COPY with the triggers off (those rows then deleted with them
    # off too, so the days stay the sums of the measurements).
    triggers = "slas_measurement_days_insert, slas_measurement_days_delete"
    untriggered = []
    for trial in range(3):
        text = base.copy_text(world, fresh(f"nt{trial}"), batch.pk)
        for name in triggers.split(", "):
            base.execute(f"ALTER TABLE slas_measurement DISABLE TRIGGER {name}")
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.copy_expert(base.COPY_SQL, text)
        untriggered.append(time.perf_counter() - started)
        base.execute(f"DELETE FROM slas_measurement WHERE external_id LIKE 'nt{trial}%%'")
        for name in triggers.split(", "):
            base.execute(f"ALTER TABLE slas_measurement ENABLE TRIGGER {name}")
    row["COPY 10k without the days trigger"] = statistics.median(untriggered)
    per_index = {}
    for label, keep in [("primary key only", [])] + [(name, [(name, st)]) for name, st in indexes]:
        base.execute("DROP TABLE IF EXISTS bench_lean")
        base.execute("CREATE TABLE bench_lean (LIKE slas_measurement INCLUDING DEFAULTS INCLUDING IDENTITY)")
        base.execute("ALTER TABLE bench_lean ADD PRIMARY KEY (id)")
        base.execute(f"INSERT INTO bench_lean SELECT * FROM slas_measurement LIMIT {LEAN_ROWS}")
        base.execute("SELECT setval(pg_get_serial_sequence('bench_lean', 'id'), "
                     "(SELECT max(id) FROM slas_measurement))")  # fmt: skip
        for name, statement in keep:
            base.execute(statement.replace("slas_measurement", "bench_lean").replace(f'"{name}"', f'"{name}_lean"')
                         .replace(f"INDEX {name} ", f"INDEX {name}_lean "))  # fmt: skip
        base.vacuum("bench_lean")
        timings = []
        for trial in range(3):
            text = base.copy_text(world, fresh(f"lean{trial}"), batch.pk)
            started = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.copy_expert(base.COPY_SQL.replace("slas_measurement", "bench_lean"), text)
            timings.append(time.perf_counter() - started)
        per_index[label] = statistics.median(timings)
    base.execute("DROP TABLE IF EXISTS bench_lean")
    row["COPY per index"] = per_index

    # (b) backfill one more engagement's year, per agent, then its one recompute.
    before = Notification.objects.count()
    started = time.perf_counter()
    result = backfill.backfill(history_records(world, backfill_engagement, 365, args.seed + 3), by=world.ingester,
                               recompute=False)  # fmt: skip
    row["backfill ingest"] = time.perf_counter() - started
    row["backfill rows"] = result.created
    started = time.perf_counter()
    outcome = owed.run_batch(result.batch.pk)
    row["backfill recompute"] = time.perf_counter() - started
    row["backfill breaches"] = outcome.breaches_opened
    row["backfill notifications"] = Notification.objects.count() - before
    scoped = base.HAND_SQL.replace(
        "WHERE (t.effective_to", "WHERE t.engagement_id = %(engagement)s AND (t.effective_to"
    )

    def hand():
        with transaction.atomic():
            base.execute(scoped, {"since": world.first_day, "engagement": backfill_engagement.pk})

    hand()
    row["backfill hand SQL"] = median_time(hand, 3)

    # memory: a 10,000-row request, and the backfill's read/validate/plan loop (a rerun: every row a duplicate)
    tracemalloc.start()
    with base.recompute_task_not_sent():
        services.ingest_measurements(fresh("mem"), by=world.ingester)
    row["peak 10k request"] = tracemalloc.get_traced_memory()[1]
    tracemalloc.reset_peak()
    backfill.backfill(history_records(world, backfill_engagement, 365, args.seed + 3), by=world.ingester)
    row["peak backfill"] = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()

    # (c) incremental after a 1,000-row batch
    with base.recompute_task_not_sent():
        late = services.ingest_measurements(fresh("inc", base.INCREMENTAL_ROWS), by=world.ingester)
    touched = late.batch.touched_pairs()
    row["incremental"] = median_time(lambda: rollups.recompute_touched(touched), 3)
    # (d) the nightly job
    row["nightly"] = median_time(tasks.recompute_recent, 3)
    # (e) pages and their queries, as the provider's manager
    client = Client()
    client.force_login(get_user_model().objects.get(pk=world.provider_manager.pk))
    api = base.api_client(world.provider_manager)
    pages = {
        "GET /api/v1/kpis/": (api, "/api/v1/kpis/"),
        "GET /api/v1/breaches/": (api, "/api/v1/breaches/"),
        "engagement SLA page": (client, f"/engagements/{engagements[0].pk}/slas/"),
        "portfolio page": (client, "/slas/"),
    }
    row["pages"], row["page reads of measurements"] = {}, 0
    row["kpi values"], row["breaches"] = base.execute(
        "SELECT (SELECT count(*) FROM slas_kpivalue), (SELECT count(*) FROM slas_breach)"
    )[0]
    for label, (who, path) in pages.items():
        assert who.get(path).status_code == 200, path
        with CaptureQueriesContext(connection) as queries:
            who.get(path)
            sql = [q["sql"] for q in queries.captured_queries]  # now: the next request's reset_queries empties it
        row["page reads of measurements"] += sum('"slas_measurement"' in text for text in sql)
        row["pages"][label] = (median_time(lambda w=who, p=path: w.get(p), 7), len(sql))
    # (f) one agent's weeks
    agent = world.agents[engagements[0].pk][0]
    agent_weekly_values(agent, engagements[0], WEEKLY_METRICS, 12)
    row["agent weeks"] = median_time(lambda: agent_weekly_values(agent, engagements[0], WEEKLY_METRICS, 12), 21)
    return row


def main(argv=None):
    args = parse_args(argv)
    name = base.prepare_environment(args)
    base.setup_django()
    from bpo_portal.celery import app as celery_app
    from engagements import services as engagement_services
    from engagements.models import Agent
    from slas.models import SLATarget

    celery_app.conf.task_always_eager = True
    started = time.perf_counter()
    world = base.build_world(args)
    extra = engagement_services.create_engagement(
        practice=world.engagements[0].practice, provider=world.engagements[0].provider, name="Backfilled desk",
        by=world.provider_manager,
    )  # fmt: skip
    extra.status = "steady"
    extra.save(update_fields=["status"])
    agents = Agent.objects.bulk_create(
        Agent(provider=extra.provider, full_name=f"Backfill agent {n}", status="live") for n in range(args.agents)
    )
    world.agents[extra.pk], world.quality[extra.pk] = [a.pk for a in agents], -0.2
    targets = list(SLATarget.objects.filter(engagement=world.engagements[0]))
    for target in targets:
        target.pk, target.engagement = None, extra
    SLATarget.objects.bulk_create(targets)
    print(f"# scale bench {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, database {name}, {os.cpu_count()} "
          f"CPUs, load average {os.getloadavg()[0]:.1f}; sizes {args.sizes}", flush=True)  # fmt: skip
    rows = []
    for size in args.sizes:
        load_before = os.getloadavg()[0]
        row = measure(world, extra, size, args, {"size": size, "load": load_before})
        row["load after"] = os.getloadavg()[0]
        rows.append(row)
        print(f"# {size:,} done at {time.perf_counter() - started:.0f} s: {row}", flush=True)
    report(rows)
    print(f"# done in {time.perf_counter() - started:.0f} s; load average {os.getloadavg()[0]:.1f}", flush=True)


def report(rows):
    small, large = rows
    mb = 1024 * 1024

    def line(label, a, b, shown, target=None, why=""):
        verdict = ""
        if target is not None:
            verdict = f"{'PASS' if target[0] else 'MISS'} ({target[1]}){' — ' + why if why and not target[0] else ''}"
        print(f"| {label} | {shown(a)} | {shown(b)} | {verdict} |")

    ms = lambda s: f"{s * 1000:,.0f} ms"  # noqa: E731
    print(f"\n| measured | {small['size']:,} | {large['size']:,} | target (ratio in this run) |\n|---|---|---|---|")
    print(f"| layout | {small['layout']} | {large['layout']} | |")
    print(f"| load average (start/end) | {small['load']:.1f}/{small['load after']:.1f} | "
          f"{large['load']:.1f}/{large['load after']:.1f} | |")  # fmt: skip
    line("generate + COPY (no indexes)", small, large,
         lambda r: f"{r['generate+COPY']:.0f} s = {r['size'] / r['generate+COPY']:,.0f} rows/s")  # fmt: skip
    for name in small["index builds"]:
        line(f"build {name}", small, large, lambda r, n=name: f"{r['index builds'][n]:.1f} s")
    line("disk: table + indexes", small, large, lambda r: f"{r['disk'][0] / mb:,.0f} + {r['disk'][1] / mb:,.0f} MiB")
    line("disk: measurement days (rows)", small, large, lambda r: f"{r['disk'][3] / mb:,.0f} MiB ({r['disk'][4]:,})")
    line("first recompute of the bulk history", small, large, lambda r: f"{r['bulk first recompute']:.1f} s")
    for r in rows:
        r["ingest ratio"] = r["service 10k"] / r["COPY 10k"]
    line("(a) service 10k batch ÷ COPY 10k", small, large,
         lambda r: f"{ms(r['service 10k'])} ÷ {ms(r['COPY 10k'])} = {r['ingest ratio']:.2f}×",
         (large["ingest ratio"] <= INGEST_TARGET, f"≤ {INGEST_TARGET}× at 20M: {large['ingest ratio']:.2f}×"),
         "validation and the duplicate lookup are Python work COPY does not do")  # fmt: skip
    line("(a) COPY 10k into the measurement table, days trigger off", small, large,
         lambda r: ms(r["COPY 10k without the days trigger"]))  # fmt: skip
    for label in small["COPY per index"]:
        line(f"(a) COPY 10k into a table with {label}", small, large,
             lambda r, n=label: f"{ms(r['COPY per index'][n])}")  # fmt: skip
    for r in rows:
        r["backfill ratio"] = r["backfill recompute"] / r["backfill hand SQL"]
    line("(b) backfill: rows through slas.backfill", small, large,
         lambda r: f"{r['backfill rows']:,} in {r['backfill ingest']:.0f} s = "
                   f"{r['backfill rows'] / r['backfill ingest']:,.0f} rows/s")  # fmt: skip
    line("(b) its one recompute ÷ hand SQL, same periods", small, large,
         lambda r: f"{r['backfill recompute']:.2f} s ÷ {r['backfill hand SQL']:.2f} s = {r['backfill ratio']:.2f}×; "
                   f"{r['backfill breaches']:,} breaches, {r['backfill notifications']} notifications",
         (large["backfill ratio"] <= BACKFILL_TARGET, f"≤ {BACKFILL_TARGET}×: {large['backfill ratio']:.2f}×"),
         "announcing each breach is a conditional UPDATE per breach (slas.rollups._notify)")  # fmt: skip
    line("peak Python memory: 10k request / backfill", small, large,
         lambda r: f"{r['peak 10k request'] / mb:.0f} / {r['peak backfill'] / mb:.0f} MiB")  # fmt: skip

    def ratio(key, label, why, get=lambda r, k: r[k]):
        value = get(large, key) / get(small, key)
        line(label, small, large, lambda r: ms(get(r, key)),
             (value <= RATIO_TARGETS.get(key, 1.25), f"≤ 1.25× of 1M: {value:.2f}×"), why)  # fmt: skip

    ratio("incremental", "(c) incremental after 1,000 rows", "")
    ratio("nightly", "(d) nightly job", "")
    line(
        "(e) KPI values / breaches in the database", small, large, lambda r: f"{r['kpi values']:,} / {r['breaches']:,}"
    )
    line("(e) queries of the four pages that read slas_measurement", small, large,
         lambda r: f"{r['page reads of measurements']}")  # fmt: skip
    for label in small["pages"]:
        value = large["pages"][label][0] / small["pages"][label][0]
        line(f"(e) {label}", small, large, lambda r, n=label: f"{ms(r['pages'][n][0])}, {r['pages'][n][1]} queries",
             (value <= 1.25, f"≤ 1.25×: {value:.2f}×"), "")  # fmt: skip
    ratio("agent weeks", "(f) one agent, 4 metrics × 12 weeks", "")


if __name__ == "__main__":
    main()
