"""How fast the pipeline replays the demo scenario, against just reading the scenario file.

    python benchmarks/replay_throughput.py [--repeat 3] [--database-url URL]

Prints comments per second for a full replay (store, classify, detect, respond, publish) and the
ratio to a baseline measured in the same process: parsing every event of the same file.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from crisis.db import drop_everything, make_engine
from crisis.replay.run import replay_into
from crisis.replay.scenario import read_scenario, scenario_path
from crisis.settings import Settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    args = parser.parse_args()
    settings = Settings()
    with scenario_path() as path:
        parse_times, replay_times, comments = [], [], 0
        for _ in range(args.repeat):
            started = time.perf_counter()
            events = sum(1 for _ in read_scenario(path))
            parse_times.append(time.perf_counter() - started)
            with tempfile.TemporaryDirectory() as tmp:
                url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
                engine = make_engine(url)
                drop_everything(engine)
                started = time.perf_counter()
                comments = replay_into(engine, path, settings)["comments"]
                replay_times.append(time.perf_counter() - started)
                drop_everything(engine)
                engine.dispose()
    parse, full = statistics.median(parse_times), statistics.median(replay_times)
    print(f"scenario: {path.name}, {events} events, {comments} comments, {args.repeat} runs")
    print(f"baseline (parse only): {parse * 1000:8.1f} ms  {events / parse:10.0f} events/s")
    print(f"full replay          : {full * 1000:8.1f} ms  {comments / full:10.0f} comments/s")
    print(f"replay / parse time  : {full / parse:8.1f}x")


if __name__ == "__main__":
    main()
