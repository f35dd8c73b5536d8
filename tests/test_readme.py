"""The README's two commands are the ones CI runs, so what a new user reads is what is tested."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", quick_start)


def test_ci_runs_exactly_the_readme_commands():
    install, test = readme_commands()
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    normalised = [line.replace("pip install -q", "pip install") for line in ci_lines]
    assert install in normalised
    assert test in normalised
    assert "crisis demo" in install and "torch==2.13.0" in install
    assert test.endswith("pytest")
