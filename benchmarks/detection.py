"""Detection delay and false incidents: on the demo scenario, and on generated traffic.

    python benchmarks/detection.py [--seeds 5] [--skip-pipeline]

1. The demo scenario through the real pipeline (the configured classifier): when each outage was
   detected, against when the scenario says it started, and incidents nobody expected.
2. Generated ordinary weeks (``crisis.replay.traffic``, daily and weekly rhythm, noise, a
   third-party outage) at two volumes and several seeds: false incidents per week, with the
   generator's labels, the detector run every 5 minutes. The same for a "naive" detector (floor
   and ratio only: no persistence, no Poisson term) as the baseline in the same run.
3. Generated outages of several sizes at a busy hour after three ordinary days: detection delay.
4. One generated quiet week through the real pipeline and classifier (``crisis replay``).

Every run starts from an empty SQLite file, as a fresh installation would. The detector's
settings come from the environment as in production (``CRISIS_SPIKE_MIN_COMPLAINTS=5 python
benchmarks/detection.py`` compares another floor).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crisis.db import make_engine, session_scope, upgrade  # noqa: E402
from crisis.domain import Service  # noqa: E402
from crisis.registry import spike_rules  # noqa: E402
from crisis.replay import traffic  # noqa: E402
from crisis.replay.run import replay_into  # noqa: E402
from crisis.replay.scenario import scenario_path  # noqa: E402
from crisis.settings import Settings  # noqa: E402

MONDAY = datetime(2017, 5, 7, 22, 0, tzinfo=UTC)  # Monday 8 May 2017, 00:00 in Berlin
DEMO_OUTAGES = {  # what the scenario's README says started when
    "customer_service": datetime.fromisoformat("2017-05-12T14:30:00+02:00"),
    "internet": datetime.fromisoformat("2017-05-13T07:30:00+02:00"),
}
SHIPPED = spike_rules(Settings())  # the defaults, or CRISIS_SPIKE_* from the environment
NAIVE = replace(SHIPPED, persistence=timedelta(0), significance=1.0)


def fresh_engine(tmp: Path, name: str):  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{tmp / name}.db")
    upgrade(engine)
    return engine


def demo(tmp: Path) -> None:
    print(f"== demo scenario (may2017.jsonl), real pipeline, {Settings().classifier} ==")
    engine = fresh_engine(tmp, "demo")
    with scenario_path() as path:
        summary = replay_into(engine, path, Settings())
    engine.dispose()
    false = 0
    for incident in summary["incidents"]:
        opened = datetime.fromisoformat(incident["opened_at"])
        start = DEMO_OUTAGES.get(incident["service"])
        if start is None or incident["opened_by"] != "detector":
            false += 1
            print(f"  unexpected incident: {incident['service']} at {opened:%a %H:%M}Z")
            continue
        delay = (opened - start).total_seconds() / 60
        print(
            f"  {incident['service']:<17} started {start:%a %H:%M%z}, "
            f"detected after {delay:.0f} min"
        )
    missed = set(DEMO_OUTAGES) - {i["service"] for i in summary["incidents"]}
    print(f"  false incidents: {false}; missed outages: {len(missed)} {sorted(missed) or ''}")


def quiet_weeks(tmp: Path, seeds: int) -> None:
    print("\n== generated ordinary weeks (7 days from an empty database, detector every 5 min) ==")
    print(f"  {'volume':>6} {'comments/week':>13} {'shipped: false':>15} {'naive: false':>13}")
    for volume in (1.0, 3.0):
        comments = shipped = naive = 0
        for seed in range(1, seeds + 1):
            week = traffic.ordinary_traffic(MONDAY, 7, volume=volume, seed=seed)
            comments += len(week)
            for rules, name in ((SHIPPED, "shipped"), (NAIVE, "naive")):
                engine = fresh_engine(tmp, f"quiet-{volume}-{seed}-{name}")
                with session_scope(engine) as session:
                    traffic.store(session, week)
                end = MONDAY + timedelta(days=7)
                found = traffic.scan(
                    engine, start=MONDAY, end=end, step=timedelta(minutes=5), rules=rules
                )
                engine.dispose()
                if name == "shipped":
                    shipped += len(found)
                else:
                    naive += len(found)
        print(
            f"  {volume:>6} {comments // seeds:>13} {shipped / seeds:>11.2f}/wk "
            f"{naive / seeds:>9.2f}/wk   ({seeds} seeds)"
        )


def outages(tmp: Path, seeds: int) -> None:
    print("\n== generated DSL outages, Wednesday 19:00 Berlin, after 3 ordinary days (volume 3) ==")
    print(f"  {'complaints/h':>12} {'shipped: delay (min)':>22} {'naive: delay (min)':>20}")
    start = MONDAY + timedelta(days=2, hours=17)
    for per_hour in (60, 120, 240, 480):
        delays: dict[str, list[float | None]] = {"shipped": [], "naive": []}
        for seed in range(1, seeds + 1):
            history = traffic.ordinary_traffic(MONDAY, 3, volume=3.0, seed=seed)
            spike = traffic.outage(
                start, timedelta(hours=1), per_hour=per_hour, regions=["Hamburg"], seed=seed
            )
            for rules, name in ((SHIPPED, "shipped"), (NAIVE, "naive")):
                engine = fresh_engine(tmp, f"outage-{per_hour}-{seed}-{name}")
                with session_scope(engine) as session:
                    traffic.store(session, sorted(history + spike, key=lambda g: g.at))
                found = traffic.scan(
                    engine,
                    start=start - timedelta(hours=1),
                    end=start + timedelta(hours=1),
                    step=timedelta(minutes=1),
                    rules=rules,
                )
                engine.dispose()
                hits = [at for at, service in found if service == Service.INTERNET.value]
                hits = [at for at in hits if at >= start]
                delays[name].append((hits[0] - start).total_seconds() / 60 if hits else None)
        print(f"  {per_hour:>12} {_delays(delays['shipped']):>22} {_delays(delays['naive']):>20}")


def _delays(values: list[float | None]) -> str:
    found = sorted(v for v in values if v is not None)
    missed = len(values) - len(found)
    if not found:
        return f"missed all {missed}"
    median = found[len(found) // 2]
    return f"median {median:.0f}, max {found[-1]:.0f}" + (f", {missed} missed" if missed else "")


def pipeline_week(tmp: Path) -> None:
    print(
        "\n== one generated ordinary week (volume 3) through the real pipeline, "
        f"{Settings().classifier} =="
    )
    week = traffic.ordinary_traffic(MONDAY, 7, volume=3.0, seed=1)
    path = traffic.write_scenario(tmp / "quiet.jsonl", week)
    engine = fresh_engine(tmp, "pipeline")
    started = time.perf_counter()
    summary = replay_into(engine, path, Settings())
    engine.dispose()
    print(
        f"  {summary['comments']} comments replayed in {time.perf_counter() - started:.0f} s; "
        f"false incidents: {len(summary['incidents'])} "
        f"{[(i['service'], i['opened_at']) for i in summary['incidents']] or ''}"
    )


def main() -> None:
    print(f"rules: {SHIPPED}")
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=5, help="generated weeks per volume")
    parser.add_argument("--skip-pipeline", action="store_true", help="skip parts 1 and 4 (slow)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if not args.skip_pipeline:
            demo(Path(tmp))
        quiet_weeks(Path(tmp), args.seeds)
        outages(Path(tmp), args.seeds)
        if not args.skip_pipeline:
            pipeline_week(Path(tmp))


if __name__ == "__main__":
    main()
