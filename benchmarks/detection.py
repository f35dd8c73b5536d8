"""Detection delay and false incidents: on the demo scenario, and on generated traffic.

    python benchmarks/detection.py [--seeds 10] [--jobs 2] [--skip-pipeline] [--skip-weeks]
                                   [--skip-outages]

Three detectors side by side, in the same run: the two-stage one (suspected, then confirmed:
the shipped settings), the one-stage one (today's rules alone: it opens incidents at the
confirming evidence) and a naive one (floor and ratio only: no persistence, no Poisson term).

1. The demo scenario through the real pipeline (the configured classifier): minutes from when
   the scenario's README says each outage started to suspected and to confirmed.
2. Generated ordinary weeks (``crisis.replay.traffic``: daily and weekly rhythm, noise, loud
   customers, dug-up streets, a WhatsApp outage blamed on us) at two volumes: suspicions and
   false (confirmed) incidents per week, and the longest suspicion, with the generator's
   labels, the detector run every 5 minutes.
3. Generated outages, Monday 19:00 Berlin after an ordinary week, at 15, 30, 60, 120 and
   480 complaints an hour: a quiet service (email, usually under one complaint an hour) and DSL
   in one city at a busy hour: minutes to suspected and to confirmed (median and worst of the
   seeds), and in how many seeds a suspicion came within 10 and within 5 minutes.
4. One generated quiet week through the real pipeline and classifier (``crisis replay``).

Every run starts from an empty SQLite file, as a fresh installation would. The detector's
settings come from the environment as in production (``CRISIS_SUSPECT_MIN_COMPLAINTS=4 python
benchmarks/detection.py`` compares another floor).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import col, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crisis.db import make_engine, session_scope, upgrade  # noqa: E402
from crisis.domain import Service  # noqa: E402
from crisis.registry import spike_rules  # noqa: E402
from crisis.replay import traffic  # noqa: E402
from crisis.replay.run import replay_into  # noqa: E402
from crisis.replay.scenario import scenario_path  # noqa: E402
from crisis.settings import Settings  # noqa: E402
from crisis.tables import Incident  # noqa: E402

MONDAY = datetime(2017, 5, 7, 22, 0, tzinfo=UTC)  # Monday 8 May 2017, 00:00 in Berlin
DEMO_OUTAGES = {  # what the scenario's README says started when
    "customer_service": datetime.fromisoformat("2017-05-12T14:30:00+02:00"),
    "internet": datetime.fromisoformat("2017-05-13T07:30:00+02:00"),
}
SHIPPED = spike_rules(Settings())  # the defaults, or CRISIS_SPIKE_* from the environment
TODAY = replace(SHIPPED, suspect_min_complaints=0)  # one stage: opens at the confirming rules
NAIVE = replace(TODAY, persistence=timedelta(0), significance=1.0)
DETECTORS = {"two-stage": SHIPPED, "one-stage": TODAY, "naive": NAIVE}
RATES = (15, 30, 60, 120, 480)
# Where outages happen, Monday 19:00 Berlin after an ordinary week: a quiet service (the
# issue's case: usually under one complaint an hour) and DSL in one city at a busy hour.
OUTAGE_CASES = {
    "email, usual 0.4/h (volume 1)": (Service.EMAIL, 1.0),
    "DSL in Hamburg, usual 16/h nationally (volume 3)": (Service.INTERNET, 3.0),
}


def fresh_engine(tmp: Path, name: str):  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{tmp / name}.db")
    upgrade(engine)
    return engine


def stages(engine) -> list[Incident]:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        found = list(session.exec(select(Incident).order_by(col(Incident.id))))
        session.expunge_all()
    return found


def demo(tmp: Path) -> None:
    print(f"== demo scenario (may2017.jsonl), real pipeline, {Settings().classifier} ==")
    engine = fresh_engine(tmp, "demo")
    with scenario_path() as path:
        summary = replay_into(engine, path, Settings())
    found = stages(engine)
    engine.dispose()
    false = 0
    for incident in found:
        start = DEMO_OUTAGES.get(incident.service)
        if start is None or incident.opened_by != "detector":
            false += 1
            print(
                f"  other incident: {incident.service} at {incident.opened_at:%a %H:%M}Z, "
                f"{incident.status}"
            )
            continue
        confirmed = _minutes(incident.confirmed_at, start)
        print(
            f"  {incident.service:<17} started {start:%a %H:%M%z}: suspected after "
            f"{_minutes(incident.opened_at, start)} min, confirmed after {confirmed} min"
        )
    missed = set(DEMO_OUTAGES) - {i["service"] for i in summary["incidents"]}
    print(f"  other incidents: {false}; missed outages: {len(missed)} {sorted(missed) or ''}")


def _minutes(at: datetime | None, start: datetime) -> str:
    return "-" if at is None else f"{(at - start).total_seconds() / 60:.0f}"


def _quiet_week(job: tuple[str, float, int, str]) -> tuple[int, int, float]:
    """One generated week under one detector: (suspicions, confirmed, longest suspicion)."""
    tmp, volume, seed, name = job
    week = traffic.ordinary_traffic(MONDAY, 7, volume=volume, seed=seed)
    engine = fresh_engine(Path(tmp), f"quiet-{volume}-{seed}-{name}")
    with session_scope(engine) as session:
        traffic.store(session, week)
    end = MONDAY + timedelta(days=7)
    traffic.scan(engine, start=MONDAY, end=end, step=timedelta(minutes=5), rules=DETECTORS[name])
    suspicions = confirmed = 0
    longest = 0.0
    for incident in stages(engine):
        if incident.confirmed_at is not None:
            confirmed += 1
        else:
            suspicions += 1
            closed = incident.resolved_at or end
            longest = max(longest, (closed - incident.opened_at).total_seconds() / 60)
    engine.dispose()
    return suspicions, confirmed, longest


def quiet_weeks(tmp: Path, seeds: int, pool: Executor) -> None:
    print(
        "\n== generated ordinary weeks (7 days from an empty database, detector every 5 min; "
        "a WhatsApp outage blamed on us, loud customers, dug-up streets) =="
    )
    print(
        f"  {'volume':>6} {'detector':>10} {'suspicions/wk':>14} {'false incidents/wk':>19} "
        f"{'longest suspicion (min)':>24}"
    )
    for name in DETECTORS:
        for volume in (1.0, 3.0):
            jobs = [(str(tmp), volume, seed, name) for seed in range(1, seeds + 1)]
            results = list(pool.map(_quiet_week, jobs))
            suspicions = sum(r[0] for r in results)
            confirmed = sum(r[1] for r in results)
            longest = max(r[2] for r in results)
            print(
                f"  {volume:>6} {name:>10} {suspicions / seeds:>14.2f} {confirmed / seeds:>19.2f} "
                f"{longest:>24.0f}",
                flush=True,
            )
    print(f"  ({seeds} weeks per volume)")


Delays = dict[str, tuple[float | None, float | None]]


def _outage(job: tuple[str, str, float, int, int]) -> Delays:
    """One generated outage under every detector: minutes to suspected and to confirmed."""
    tmp, service_name, volume, per_hour, seed = job
    service = Service(service_name)
    start = MONDAY + timedelta(days=7, hours=17)
    # a week of history, and the ordinary traffic of the outage day under the outage
    history = traffic.ordinary_traffic(MONDAY, 8, volume=volume, seed=seed)
    spike = traffic.outage(
        start, timedelta(hours=1), service=service, per_hour=per_hour, regions=["Hamburg"],
        seed=seed,
    )  # fmt: skip
    base = fresh_engine(Path(tmp), f"outage-{service}-{per_hour}-{seed}")
    with session_scope(base) as session:
        traffic.store(session, sorted(history + spike, key=lambda g: g.at))
    base.dispose()
    out: Delays = {}
    for name, rules in DETECTORS.items():
        copy = Path(tmp) / f"outage-{service}-{per_hour}-{seed}-{name}.db"
        shutil.copy(Path(tmp) / f"outage-{service}-{per_hour}-{seed}.db", copy)
        engine = make_engine(f"sqlite:///{copy}")
        traffic.scan(
            engine,
            start=start - timedelta(minutes=10),
            end=start + timedelta(minutes=45),
            step=timedelta(minutes=1),
            rules=rules,
        )
        found = [i for i in stages(engine) if i.service == service.value and i.opened_at >= start]
        engine.dispose()
        first = found[0].opened_at if found else None
        sure = next((i.confirmed_at for i in found if i.confirmed_at), None)
        out[name] = (_after(first, start), _after(sure, start))
    return out


def _after(at: datetime | None, start: datetime) -> float | None:
    return None if at is None else (at - start) / timedelta(minutes=1)


def outages(tmp: Path, seeds: int, pool: Executor) -> None:
    for case, (service, volume) in OUTAGE_CASES.items():
        print(f"\n== generated outages: {case} ==")
        print("  minutes to suspected / to confirmed: median, worst (missed within 45 min)")
        print(
            f"  {'complaints/h':>12} "
            + " ".join(f"{name:>27}" for name in DETECTORS)
            + f" {'suspected <=10 / <=5 min':>25}"
        )
        for per_hour in RATES:
            jobs = [(str(tmp), service.value, volume, per_hour, s) for s in range(1, seeds + 1)]
            results = list(pool.map(_outage, jobs))
            cells = []
            for name in DETECTORS:
                suspected = [r[name][0] for r in results]
                confirmed = [r[name][1] for r in results]
                cells.append(f"{_delays(suspected) + ' / ' + _delays(confirmed):>27}")
            first = [r["two-stage"][0] for r in results]
            within = [sum(1 for v in first if v is not None and v <= m) for m in (10, 5)]
            print(
                f"  {per_hour:>12} "
                + " ".join(cells)
                + f" {f'{within[0]}/{seeds} / {within[1]}/{seeds}':>25}",
                flush=True,
            )
        print(f"  ({seeds} seeds)")


def _delays(values: list[float | None]) -> str:
    found = sorted(v for v in values if v is not None)
    missed = len(values) - len(found)
    if not found:
        return "missed"
    median = found[(len(found) - 1) // 2]
    return f"{median:.0f}, {found[-1]:.0f}" + (f" ({missed} missed)" if missed else "")


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
    confirmed = [i for i in summary["incidents"] if i["confirmed_at"]]
    suspicions = [i for i in summary["incidents"] if not i["confirmed_at"]]
    print(
        f"  {summary['comments']} comments replayed in {time.perf_counter() - started:.0f} s; "
        f"false incidents: {len(confirmed)} "
        f"{[(i['service'], i['opened_at']) for i in confirmed] or ''}; suspicions: "
        f"{[(i['service'], i['opened_at'], i['status']) for i in suspicions] or 0}"
    )


def main() -> None:
    print(f"rules: {SHIPPED}")
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=10, help="generated weeks and outages")
    parser.add_argument("--skip-pipeline", action="store_true", help="skip parts 1 and 4 (slow)")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes")
    parser.add_argument("--skip-weeks", action="store_true", help="skip the ordinary weeks")
    parser.add_argument("--skip-outages", action="store_true", help="skip the outages")
    parser.add_argument(
        "--detectors", default=",".join(DETECTORS), help="which, comma-separated (all)"
    )
    args = parser.parse_args()
    for name in set(DETECTORS) - set(args.detectors.split(",")):
        del DETECTORS[name]
    with tempfile.TemporaryDirectory() as tmp, ProcessPoolExecutor(args.jobs) as pool:
        if not args.skip_pipeline:
            demo(Path(tmp))
        if not args.skip_weeks:
            quiet_weeks(Path(tmp), args.seeds, pool)
        if not args.skip_outages:
            outages(Path(tmp), args.seeds, pool)
        if not args.skip_pipeline:
            pipeline_week(Path(tmp))


if __name__ == "__main__":
    main()
