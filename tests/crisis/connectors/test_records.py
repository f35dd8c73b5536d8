import json

from crisis.connectors.files import FileSource
from crisis.domain import Problem

GOOD = {
    "at": "2017-05-13T09:00:00+02:00",
    "platform": "facebook",
    "id": "1",
    "author": "Sabine K.",
    "text": "Kein Internet in Altona",
}


def write_jsonl(path, lines):
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def fetch_all(source):
    items, problems, cursor = [], [], None
    while True:
        page = source.fetch(cursor)
        items += page.items
        problems += page.problems
        cursor = page.cursor
        if not page.more:
            return items, problems


def test_bad_lines_are_reported_with_their_line_numbers_and_good_lines_all_kept(tmp_path):
    lines = [
        json.dumps(GOOD),
        "{not json",
        json.dumps({**GOOD, "id": "2", "at": "2017-05-13T09:01:00"}),  # no offset
        json.dumps([1, 2]),
        "",
        json.dumps({**GOOD, "id": "3", "author": ""}),
        json.dumps({**GOOD, "id": "4", "text": "<script>alert(1)</script> 😡 Интернет"}),
    ]
    source = FileSource(write_jsonl(tmp_path / "export.jsonl", lines), page_size=2)

    items, problems = fetch_all(source)

    assert [c.external_id for c in items] == ["1", "4"]
    assert [p.where for p in problems] == [
        "export.jsonl:2",
        "export.jsonl:3",
        "export.jsonl:4",
        "export.jsonl:6",
    ]
    assert "timezone offset" in problems[1].reason
    assert "author" in problems[3].reason
    assert items[1].text == "<script>alert(1)</script> 😡 Интернет"


def test_invalid_utf8_is_one_bad_line_not_a_failed_import(tmp_path):
    path = tmp_path / "export.jsonl"
    path.write_bytes(
        json.dumps(GOOD).encode()
        + b"\n"
        + b'{"text": "\xff\xfe"}\n'
        + json.dumps({**GOOD, "id": "2"}).encode()
        + b"\n"
    )
    items, problems = fetch_all(FileSource(path))
    assert [c.external_id for c in items] == ["1", "2"]
    assert problems == [Problem("export.jsonl:2", problems[0].reason)]
    assert "UTF-8" in problems[0].reason


def test_csv_export_with_quoted_multiline_text_and_a_short_row(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(
        "at,platform,id,author,text,lang,location\n"
        '2017-05-13T09:00:00+02:00,x,100,jens_hh,"Internet tot,\nschon wieder!",de,Hamburg\n'
        "2017-05-13T09:01:00+02:00,x,101,anna\n"
        "2017-05-13T09:02:00+02:00,x,102,ayse,internet yok,tr,\n",
        encoding="utf-8",
    )
    items, problems = fetch_all(FileSource(path))
    assert [(c.external_id, c.lang, c.location) for c in items] == [
        ("100", "de", "Hamburg"),
        ("102", "tr", None),
    ]
    assert items[0].text == "Internet tot,\nschon wieder!"
    assert [p.where for p in problems] == ["export.csv:4"]


def test_reading_resumes_from_a_cursor_in_a_new_source(tmp_path):
    lines = [json.dumps({**GOOD, "id": str(i)}) for i in range(10)]
    path = write_jsonl(tmp_path / "export.jsonl", lines)
    first = FileSource(path, page_size=4).fetch(None)
    resumed = FileSource(path, page_size=4).fetch(first.cursor)
    assert [c.external_id for c in first.items] == ["0", "1", "2", "3"]
    assert [c.external_id for c in resumed.items] == ["4", "5", "6", "7"]
    assert resumed.more


def test_scenario_files_can_be_imported_as_comment_files(tmp_path):
    lines = [
        json.dumps({**GOOD, "type": "comment"}),
        json.dumps({"at": GOOD["at"], "type": "operator", "action": "resume_posts"}),
    ]
    items, problems = fetch_all(FileSource(write_jsonl(tmp_path / "s.jsonl", lines)))
    assert [c.external_id for c in items] == ["1"] and problems == []


def test_a_big_export_is_streamed_not_loaded(tmp_path):
    import tracemalloc

    path = tmp_path / "big.jsonl"
    line = json.dumps({**GOOD, "text": "Kein Internet in Altona seit heute früh. " * 5})
    with path.open("w", encoding="utf-8") as handle:
        for i in range(100_000):
            handle.write(line.replace('"id": "1"', f'"id": "{i}"') + "\n")
    assert path.stat().st_size > 30_000_000

    tracemalloc.start()
    page = FileSource(path, page_size=100).fetch(None)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    assert len(page.items) == 100 and page.more
    assert peak < 3_000_000  # a few pages' worth, not the 30 MB file
