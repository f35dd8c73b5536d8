"""``crisis run`` as a user starts it: one process, nothing configured but a drop folder."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[3]


def export_lines(count: int) -> list[dict[str, str]]:
    """An internet outage in the last minutes: a complaint from each of ``count`` customers."""
    now = datetime.now(UTC)
    return [
        {"type": "comment", "platform": "x", "id": f"t{i}", "author": f"kunde{i}",
         "text": "@nordtel Internet seit heute morgen tot, Router blinkt rot", "lang": "de",
         "at": (now - timedelta(minutes=count - i)).isoformat()}
        for i in range(count)
    ]  # fmt: skip


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_run_ingests_a_file_drop_opens_an_incident_sends_an_approved_reply_and_stops_on_sigterm(
    tmp_path: Path,
) -> None:
    drop = tmp_path / "drop"
    drop.mkdir()
    export = drop / "export.jsonl"
    export.write_text("".join(json.dumps(line) + "\n" for line in export_lines(10)))
    old = time.time() - 60
    os.utime(export, (old, old))
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CRISIS_")},
        "PYTHONPATH": str(ROOT),
        "CRISIS_DATABASE_URL": f"sqlite:///{tmp_path / 'crisis.db'}",
        "CRISIS_CLASSIFIER": "lexicon.v1",
        "CRISIS_DROP_DIR": str(drop),
        "CRISIS_DROP_INTERVAL_SECONDS": "0.5",
        "CRISIS_SEND_INTERVAL_SECONDS": "0.5",
        # a small outage is enough here (no history, no Poisson term)
        "CRISIS_SPIKE_MIN_COMPLAINTS": "5",
        "CRISIS_SPIKE_SIGNIFICANCE": "1",
        "CRISIS_SPIKE_PERSISTENCE_MINUTES": "0",
    }
    command = [sys.executable, "-m", "crisis.cli", "run", "--port", str(port), "--publisher",
               "recording"]  # fmt: skip
    with (tmp_path / "run.log").open("wb") as out:
        process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=out, stderr=out)
    try:
        deadline = time.monotonic() + 60
        ready: dict[str, object] = {}
        while time.monotonic() < deadline:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2)
                ready = answer.json()
                if "file-drop" in ready["loops"] and (drop / "done" / "export.jsonl").exists():  # type: ignore[operator]
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.3)
        assert ready.get("ready") is True, (tmp_path / "run.log").read_text()
        assert ready["model"] == "lexicon.v1"
        metrics = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
        assert 'crisis_comments_stored{platform="x"} 10.0' in metrics
        assert 'crisis_comments_ingested_total{source="drop"} 10.0' in metrics
        assert "crisis_classification_backlog 0.0" in metrics
        assert "crisis_incidents_open 1.0" in metrics
        assert 'crisis_review_queue{state="pending"}' in metrics
        approve = [sys.executable, "-m", "crisis.cli", "queue", "approve", "1", "--by", "lena"]
        subprocess.run(approve, cwd=tmp_path, env=env, check=True, capture_output=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            metrics = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
            if 'crisis_review_queue{state="sent"} 1.0' in metrics:
                break
            time.sleep(0.3)
        assert 'crisis_review_queue{state="sent"} 1.0' in metrics
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
    log = (tmp_path / "run.log").read_text()
    assert "x is off: needs CRISIS_X_BEARER_TOKEN" in log
    assert "facebook is off: needs CRISIS_FACEBOOK_PAGE_ID" in log
    assert "stopping: each loop finishes the batch in hand" in log and log.rstrip().endswith(
        "stopped"
    )
