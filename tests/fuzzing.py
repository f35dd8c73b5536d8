"""Hypothesis strategies for hostile import files, shared by the bounded fuzz tests and the
longer run in ``benchmarks/fuzz_imports.py``.

A generated file mixes valid comment lines (each with an id of its own, which must be stored)
with hostile ones: random bytes, deep nesting, 4,300-digit numbers, times out of range, NaN, NUL,
lone surrogates, cut-off lines, unbalanced CSV quotes, huge cells.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

_SURROGATE = re.compile("[\ud800-\udfff]")  # not UTF-8: a CSV file cannot hold one

PREFIX = "valid-"


def with_prefix(data: tuple[bytes, set[str]], prefix: str) -> tuple[bytes, set[str]]:
    """The file and its valid ids with ids of their own (``prefix`` instead of ``PREFIX``)."""
    content, valid = data
    new = {id_.replace(PREFIX, prefix) for id_ in valid}
    return content.replace(PREFIX.encode(), prefix.encode()), new


HOSTILE_CHARS = ["\ud83d", "\udc00", "\x00", "😡", "\n", "\r", '"', ";", ",", "\t", "\ufeff", "ä"]
text_st = st.text(max_size=60) | st.text(alphabet=st.sampled_from(HOSTILE_CHARS + ["a", " "]))
name_st = st.sampled_from(["Sabine K.", "jens_hh", "Ayşe", "a\x00b", "x\ud83d", "😡"])
offset_st = st.integers(min_value=-14 * 60, max_value=14 * 60).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
time_st = st.builds(
    lambda at, tz: at.replace(tzinfo=UTC).astimezone(tz).isoformat(),
    st.datetimes(min_value=datetime(2005, 1, 1), max_value=datetime(2025, 12, 31)),
    offset_st,
)


@st.composite
def valid_record(draw: st.DrawFn, id_: str, *, words: bool = False) -> dict[str, Any]:
    record: dict[str, Any] = {
        "at": draw(time_st),
        "platform": draw(st.sampled_from(["x", "facebook", "X ", "Facebook"])),
        "id": id_,
        "author": draw(name_st),
        "text": draw(text_st.filter(str.strip) if words else text_st),
    }
    if draw(st.booleans()):
        record["lang"] = draw(st.sampled_from(["de", "en", "tr", "", "\x00de"]))
    if draw(st.booleans()):
        record["location"] = draw(st.sampled_from(["Hamburg", "Mü\ud83dnchen", ""]))
    return record


def _hostile_record(draw: st.DrawFn) -> dict[str, Any]:
    base = {"at": "2017-05-13T09:00:00+02:00", "platform": "x", "author": "a", "text": "t"}
    base["id"] = "hostile"
    damage = draw(st.sampled_from(["at", "platform", "id", "author", "text", "extra", "missing"]))
    if damage == "missing":
        del base[draw(st.sampled_from(["at", "platform", "id", "author", "text"]))]
    else:
        base[damage] = draw(
            st.sampled_from(
                [
                    "0001-01-01T00:00:00+01:00",
                    "9999-12-31T23:59:59-01:00",
                    "2099-01-01T00:00:00Z",
                    "2017-05-13T09:00:00",
                    "",
                    " ",
                    None,
                    True,
                    1e308,
                    [],
                    {"a": 1},
                    "x" * 300,
                    "\x00",
                    "\ud83d",
                ]
            )
        )
    return base


@st.composite
def hostile_jsonl_line(draw: st.DrawFn) -> bytes:
    kind = draw(st.integers(min_value=0, max_value=8))
    if kind == 0:
        return draw(st.binary(max_size=80)).replace(b"\n", b" ")
    if kind == 1:
        depth = draw(st.integers(min_value=33, max_value=3000))
        return b'{"text": "t", "x": ' + b"[" * depth + b"]" * depth + b"}"
    if kind == 2:
        return b'{"id": "big", "text": "t", "n": ' + b"9" * draw(st.integers(4301, 6000)) + b"}"
    if kind == 3:
        whole = json.dumps(_hostile_record(draw)).encode()
        return whole[: draw(st.integers(min_value=1, max_value=len(whole) - 1))]
    if kind == 4:
        return json.dumps(draw(st.sampled_from([[1, 2], "text", 3, None]))).encode()
    if kind == 5:
        return b'{"id": "nan", "text": NaN, "at": Infinity, "author": -Infinity}'
    return json.dumps(_hostile_record(draw)).encode()


@st.composite
def jsonl_file(draw: st.DrawFn, *, words: bool = False) -> tuple[bytes, set[str]]:
    """``(file content, ids that must be stored)``; the ids hold ``PREFIX``: replace it with
    one of the example's own when examples share a database (``with_prefix``). ``words``:
    every valid text has some (``classify-file`` refuses an empty one)."""
    lines: list[bytes] = []
    valid: set[str] = set()
    if draw(st.booleans()):
        lines.append(b"\xef\xbb\xbf")  # joined with the first line: a byte-order mark
    for index in range(draw(st.integers(min_value=0, max_value=12))):
        if draw(st.booleans()):
            record = draw(valid_record(f"{PREFIX}{index}", words=words))
            valid.add(record["id"])
            line = json.dumps(record, ensure_ascii=draw(st.booleans()))
            if not _utf8(line):  # a lone surrogate written raw is not UTF-8; escaped it is JSON
                line = json.dumps(record)
            lines.append(line.encode())
        else:
            lines.append(draw(hostile_jsonl_line()))
    if lines and lines[0] == b"\xef\xbb\xbf":
        lines[0:2] = [b"".join(lines[0:2])]
    content = b"\n".join(_encodable(line) for line in lines)
    return content + (b"\n" if draw(st.booleans()) else b""), valid


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _encodable(line: bytes | str) -> bytes:
    return line if isinstance(line, bytes) else line.encode("utf-8", "surrogatepass")


CSV_HEADER = ["at", "platform", "id", "author", "text", "lang"]


@st.composite
def csv_file(draw: st.DrawFn) -> tuple[bytes, set[str]]:
    """``(file content, ids that must be stored)``: a CSV export with hostile rows."""
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    out = io.StringIO(newline="")
    writer = csv.writer(
        out, delimiter=delimiter, lineterminator=draw(st.sampled_from(["\n", "\r\n"]))
    )
    writer.writerow(CSV_HEADER)
    valid: set[str] = set()
    for index in range(draw(st.integers(min_value=0, max_value=12))):
        kind = draw(st.integers(min_value=0, max_value=9))
        if kind <= 4:
            record = draw(valid_record(f"{PREFIX}{index}"))
            record["text"] = record["text"].replace("\r", " ")  # a bare CR: not a cell's text
            record = {key: _SURROGATE.sub("?", value) for key, value in record.items()}
            valid.add(record["id"])
            writer.writerow([record.get(name, "") for name in CSV_HEADER])
        elif kind == 5:  # a quote that never closes
            out.write(delimiter.join(["2017-05-13T09:00:00+02:00", "x", "u", "a", '"cut off']))
            out.write("\n")
        elif kind == 6:
            cells = draw(st.lists(st.text(alphabet="ab;,", max_size=5), max_size=9))
            writer.writerow(cells)
        elif kind == 7:  # a huge cell
            size = draw(st.integers(min_value=131_000, max_value=140_000))
            huge = f"{PREFIX}{index}"
            valid.add(huge)
            writer.writerow(["2017-05-13T09:00:00+02:00", "x", huge, "a", "x" * size, ""])
        elif kind == 8:
            out.write(draw(st.text(max_size=40)).replace("\n", " ").replace("\r", " ") + "\n")
        else:
            row = [draw(time_st), "x", f"bad{index}", "a", draw(text_st), ""]
            row[0] = draw(
                st.sampled_from(["0001-01-01T00:00:00+01:00", "2099-01-01T00:00:00Z", "gestern"])
            )
            writer.writerow(row)
    content = out.getvalue().encode("utf-8", "surrogatepass")
    return (b"\xef\xbb\xbf" if draw(st.booleans()) else b"") + content, valid


WEBHOOK_PAGE = "1234567890123456"  # the recorded payloads' page (tests/crisis/connectors)


@st.composite
def webhook_delivery(draw: st.DrawFn) -> tuple[bytes, set[str]]:
    """``(a feed delivery's body, comment ids that must be stored)``: valid comment changes
    among hostile ones (not objects, wrong types, times out of range, NUL, lone surrogates)."""
    changes: list[Any] = []
    valid: set[str] = set()
    for index in range(draw(st.integers(min_value=0, max_value=8))):
        comment_id = f"{WEBHOOK_PAGE}_{PREFIX}{index}"
        value: dict[str, Any] = {
            "item": "comment",
            "verb": "add",
            "post_id": f"{WEBHOOK_PAGE}_555",
            "comment_id": comment_id,
            "from": {"id": "7001", "name": draw(name_st)},
            "message": draw(text_st),
            "created_time": draw(st.integers(min_value=946_684_800, max_value=1_760_000_000)),
        }
        kind = draw(st.integers(min_value=0, max_value=6))
        if kind <= 2:
            valid.add(comment_id)
            changes.append({"field": "feed", "value": value})
            continue
        if kind == 3:
            changes.append(draw(st.sampled_from(["text", 42, None, [1], {"field": "feed"}])))
        elif kind == 4:
            value["created_time"] = draw(
                st.sampled_from([1e20, -1e20, float("nan"), "gestern", None, [], 10**30])
            )
            changes.append({"field": "feed", "value": value})
        elif kind == 5:
            del value[draw(st.sampled_from(["post_id", "comment_id", "created_time"]))]
            changes.append({"field": "feed", "value": value})
        else:
            changes.append({"field": "feed", "value": draw(st.sampled_from([[], "x", 3]))})
    entries: list[Any] = [{"id": WEBHOOK_PAGE, "time": 1, "changes": changes}]
    if draw(st.booleans()):
        entries.insert(draw(st.integers(0, 1)), draw(st.sampled_from(["x", 1, {"id": "other"}])))
    body = json.dumps({"object": "page", "entry": entries})
    return body.encode("utf-8", "surrogatepass") if not _utf8(body) else body.encode(), valid
