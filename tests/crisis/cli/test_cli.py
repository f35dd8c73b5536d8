import json
import os
import subprocess
import sys

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from crisis.cli.main import app

runner = CliRunner()


def all_commands(command=None, path=()):
    command = command or get_command(app)
    if hasattr(command, "commands"):  # a group
        for name, sub in command.commands.items():
            yield from all_commands(sub, (*path, name))
    else:
        yield path


COMMANDS = sorted(all_commands())


def test_the_cli_has_the_commands_the_readme_promises():
    for expected in [
        ("db", "upgrade"),
        ("demo",),
        ("ingest",),
        ("replay",),
        ("incidents", "list"),
        ("incidents", "show"),
        ("incidents", "open"),
        ("incidents", "update"),
        ("incidents", "resolve"),
        ("posts", "list"),
        ("posts", "show"),
        ("posts", "schedule"),
        ("posts", "resume"),
        ("posts", "settle"),
        ("posts", "sync"),
        ("freeze",),
        ("unfreeze",),
        ("publish",),
        ("report",),
        ("queue", "list"),
        ("connect", "check"),
        ("webhook", "serve"),
    ]:
        assert expected in COMMANDS


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_every_command_explains_itself(path):
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    doc = get_command(app)
    for name in path:
        doc = doc.commands[name]  # type: ignore[attr-defined]
    assert doc.help and len(doc.help.strip()) > 10


def comment_line(cid, text, minute=0, **extra):
    return json.dumps(
        {
            "at": f"2017-05-13T09:{minute:02d}:00+02:00",
            "platform": "x",
            "id": cid,
            "author": f"user{cid}",
            "text": text,
            **extra,
        }
    )


def test_ingest_a_file_twice_stores_each_comment_once_and_names_bad_lines(tmp_path):
    export = tmp_path / "export.jsonl"
    export.write_text(
        "\n".join(
            [
                comment_line("1", "Kein Internet in Hamburg seit heute früh"),
                "{broken",
                comment_line("2", "Wann kommt Glasfaser nach Pasing?"),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    url = f"sqlite:///{tmp_path / 'c.db'}"
    first = runner.invoke(app, ["ingest", "--source", f"file:{export}", "--database-url", url])
    assert first.exit_code == 0, first.output
    assert "export.jsonl:2" in first.output and "2 new comments" in first.output
    export.write_text(export.read_text() + comment_line("3", "Router tot", 5) + "\n")
    second = runner.invoke(app, ["ingest", "--source", f"file:{export}", "--database-url", url])
    assert second.exit_code == 0, second.output
    assert "done: 1 new comments" in second.output
    assert "export.jsonl:2" in second.output  # still bad: the resume point never passes it


def test_a_bad_line_fixed_in_the_file_is_imported_by_the_next_run(tmp_path):
    export = tmp_path / "export.jsonl"
    good = [comment_line(str(i), f"Kein Internet #{i}", i) for i in range(6)]
    export.write_text("\n".join([good[0], "{broken", *good[1:]]) + "\n", encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'c.db'}"
    args = ["ingest", "--source", f"file:{export}", "--database-url", url]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "done: 6 new comments, 1 lines skipped" in first.output

    export.write_text("\n".join([good[0], comment_line("fixed", "Router tot"), *good[1:]]) + "\n")
    second = runner.invoke(app, args)
    assert second.exit_code == 0, second.output
    assert "done: 1 new comments, 0 lines skipped" in second.output
    third = runner.invoke(app, args)
    assert "done: 0 new comments, 0 lines skipped" in third.output


def test_a_file_whose_every_line_is_bad_exits_non_zero(tmp_path):
    export = tmp_path / "export.jsonl"
    export.write_text("{broken\n[1, 2]\n", encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'c.db'}"
    result = runner.invoke(app, ["ingest", "--source", f"file:{export}", "--database-url", url])
    assert result.exit_code == 1, result.output
    assert "export.jsonl:1" in result.output and "export.jsonl:2" in result.output
    assert "nothing imported: every line read was bad" in result.output


def test_replay_writes_the_summary_file(tmp_path):
    scenario = tmp_path / "s.jsonl"
    scenario.write_text(
        "\n".join(
            comment_line(
                str(i), f"@nordtel Kein Internet in Altona!! #{i}", i, lang="de", type="comment"
            )
            for i in range(12)
        )
        + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "summary.json"
    result = runner.invoke(app, ["replay", str(scenario), "--summary", str(out)])
    assert result.exit_code == 0, result.output
    summary = json.loads(out.read_text(encoding="utf-8"))
    assert summary["comments"] == 12
    assert [(i["service"], i["opened_by"]) for i in summary["incidents"]] == [
        ("internet", "detector")
    ]
    assert "Hamburg" in summary["incidents"][0]["regions"]


def test_a_crisis_error_is_one_clear_line_and_exit_code_2(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "crisis.cli",
            "ingest",
            "--source",
            "mastodon:x",
            "--database-url",
            f"sqlite:///{tmp_path / 'c.db'}",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "unknown source 'mastodon:x'; known: facebook, file:PATH, x" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_replay_refuses_a_database_that_already_holds_comments(tmp_path):
    scenario = tmp_path / "s.jsonl"
    scenario.write_text(comment_line("1", "Kein Internet", type="comment") + "\n", encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'c.db'}"
    args = ["replay", str(scenario), "--summary", str(tmp_path / "o.json"), "--database-url", url]
    assert runner.invoke(app, args).exit_code == 0
    again = runner.invoke(app, args)
    assert again.exit_code != 0
    assert "already holds 1 comments; replay needs an empty database" in str(again.exception)


def test_an_unreachable_database_is_one_clear_line_without_the_password():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "crisis.cli",
            "incidents",
            "list",
            "--database-url",
            "postgresql://lena:geheim@127.0.0.1:1/crisis",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "cannot use the database" in result.stdout
    assert "geheim" not in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_an_operator_runs_an_incident_and_the_held_posts_from_the_command_line(tmp_path):
    url = ["--database-url", f"sqlite:///{tmp_path / 'c.db'}"]

    def crisis(*args):
        result = runner.invoke(app, [*args, *url])
        assert result.exit_code == 0, (result.output, result.exception)
        return result.output

    crisis("posts", "schedule", "promo", "--text", "Sommerdeal!", "--at", "+2m", "--by", "lena")
    crisis("posts", "schedule", "info", "--text", "Wartung", "--at", "+1m", "--by", "lena",
           "--category", "service")  # fmt: skip
    opened = crisis(
        "incidents", "open", "--service", "internet", "--region", "Hamburg", "--eta", "+2h",
        "--reason", "NOC: DSL down", "--by", "lena",
    )  # fmt: skip
    assert "opened incident #1: internet outage in Hamburg (investigating)" in opened
    listed = crisis("posts", "list")
    assert "Marketing is held: open incidents #1 internet" in listed
    assert "held" in listed and "incident #1" in listed
    crisis("incidents", "update", "1", "--status", "identified", "--public-status",
           "Störung in Hamburg", "--reason", "Ursache gefunden", "--by", "max")  # fmt: skip
    resolved = crisis("incidents", "resolve", "1", "--reason", "behoben", "--by", "max")
    assert "1 posts stay held" in resolved
    shown = crisis("incidents", "show", "1")
    assert "why: NOC: DSL down" in shown and "Posts held by it: promo" in shown
    assert "max: incident.update - Ursache gefunden" in shown
    frozen = crisis("freeze", "--reason", "Shitstorm, erst abstimmen", "--by", "lena")
    assert "MARKETING FROZEN" in frozen
    assert "MARKETING FROZEN" in crisis("incidents", "list")
    refused = runner.invoke(app, ["posts", "resume", "promo", "--at", "+1h", "--by", "lena",
                                  "--reason", "ok", *url])  # fmt: skip
    assert refused.exit_code != 0 and "frozen by hand" in str(refused.exception)
    crisis("unfreeze", "--reason", "abgestimmt", "--by", "lena")
    assert "promo: scheduled" in crisis(
        "posts", "resume", "promo", "--at", "+1h", "--by", "lena", "--reason", "ok"
    )
    trail = crisis("posts", "show", "promo")
    assert "post.held - incident 1 is still open" in trail and "lena: post.scheduled - ok" in trail


def test_publishing_to_the_platforms_without_credentials_names_the_settings(tmp_path):
    url = f"sqlite:///{tmp_path / 'c.db'}"

    def crisis(*args):
        return subprocess.run(
            [sys.executable, "-m", "crisis.cli", *args, "--database-url", url],
            capture_output=True,
            text=True,
            check=False,
            cwd=tmp_path,  # no .env here: no credentials
            env={k: v for k, v in os.environ.items() if not k.startswith("CRISIS_")},
        )

    scheduled = crisis("posts", "schedule", "info", "--text", "Wartung heute Nacht", "--at", "+0m",
                       "--by", "lena", "--channel", "x", "--category", "service")  # fmt: skip
    assert scheduled.returncode == 0, scheduled.stdout + scheduled.stderr
    result = crisis("publish", "--publisher", "platforms", "--once")
    assert result.returncode == 2
    assert "CRISIS_X_USER_TOKEN" in " ".join(result.stdout.split())
    assert "Traceback" not in result.stdout + result.stderr
    listed = crisis("posts", "list")
    assert "scheduled" in listed.stdout and "publishing" not in listed.stdout
