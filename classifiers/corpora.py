"""Labelled data for training and evaluation, read from the folders they come in.

Each public data set keeps its own layout (see ``shared/datasets/README.md``); :func:`load`
recognises a folder by its files and returns :class:`Example` rows with a split. Test splits are
the official ones where they exist (GermEval 2017 test_dia and test_syn, SB10k test, PotTS test,
SemEval 2017 test); data sets without one get a fixed 20 % held out by a hash of the row id, so a
row never moves between splits from one run to the next. Training reads only ``train`` rows.

A label that a data set does not annotate is ``None`` and that row does not train that head: the
airline tweets teach sentiment, not which telecom service broke.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from classifiers.germeval import map_row
from crisis.domain import Sentiment, Service, Urgency
from crisis.errors import BadRecord, ConfigError

# Label names as the domain spells them; heads.json stores the order a model was trained with.
SENTIMENTS = tuple(s.value for s in Sentiment)
SERVICES = tuple(s.value for s in Service)
URGENCIES = tuple(u.value for u in Urgency)


@dataclass(frozen=True)
class Example:
    text: str
    lang: str
    source: str  # the data set, with the test split's name where there are several
    split: str  # "train" or "test"
    complaint: bool | None = None
    service: str | None = None
    sentiment: str | None = None
    urgent: tuple[str, ...] | None = None
    third_party: bool | None = None
    group: str | None = None  # rows of one page (the real set's url) stay in one fold


@dataclass(frozen=True)
class Corpus:
    name: str
    licence: str
    examples: list[Example]


def held_out(key: str, share: float = 0.2) -> bool:
    digest = hashlib.sha1(key.encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") / 2**32 < share


def load(path: Path) -> Corpus:
    """The corpus in ``path``: a data set folder, or one JSONL file in our label format."""
    if path.is_file():
        return Corpus(path.name, "see the file's datasheet", list(read_labelled(path, "test")))
    if not path.is_dir():
        raise ConfigError(f"no data at {path}")
    for marker, loader in _LOADERS:
        if (path / marker).exists():
            return loader(path)
    raise ConfigError(
        f"{path} is not a data set this project knows: expected one of "
        + ", ".join(marker for marker, _ in _LOADERS)
    )


def read_labelled(
    path: Path, split: str | None = None, source: str | None = None
) -> Iterator[Example]:
    """Our own format (``classifiers/data/telecom/LABEL_GUIDE.md``); ``split=None`` hashes ids."""
    with path.open(encoding="utf-8") as stream:
        for number, line in enumerate(stream, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                text = str(row["text"])
            except (ValueError, KeyError, TypeError) as exc:
                raise BadRecord(f"{path}:{number}", str(exc)) from exc
            key = str(row.get("id", f"{path.name}:{number}"))
            urgent = row.get("urgent")
            yield Example(
                text=text,
                lang=str(row.get("lang") or ""),
                source=source or path.name,
                split=split or ("test" if held_out(key) else "train"),
                complaint=_bool(row.get("is_complaint")),
                service=row.get("service"),
                sentiment=row.get("sentiment"),
                urgent=tuple(urgent) if isinstance(urgent, list) else None,
                third_party=_bool(row.get("third_party")),
                group=row.get("url"),
            )


def _bool(value: object) -> bool | None:
    return None if value is None else bool(value)


def _telecom(path: Path) -> Corpus:
    examples = [
        e
        for file in sorted(path.glob("*.jsonl"))
        for e in read_labelled(file, source=f"telecom/{file.stem}")
    ]
    return Corpus("telecom", "Apache-2.0 (written for this project)", examples)


def _germeval(path: Path) -> Corpus:
    examples = []
    for file, split, source in (
        ("germeval2017_dev.jsonl", "train", "germeval2017"),
        ("germeval2017_test_dia.jsonl", "test", "germeval2017/test_dia"),
        ("germeval2017_test_syn.jsonl", "test", "germeval2017/test_syn"),
    ):
        with (path / file).open(encoding="utf-8") as stream:
            for line in stream:
                row = json.loads(line)
                mapped = map_row(row)
                examples.append(
                    Example(
                        row["text"],
                        "de",
                        source,
                        split,
                        complaint=mapped.complaint,
                        service=mapped.service,
                        sentiment=mapped.sentiment,
                    )
                )
    return Corpus("germeval2017", "CC-BY-NC-4.0", examples)


def _tsv(file: Path) -> Iterator[list[str]]:
    with file.open(encoding="utf-8", newline="") as stream:
        yield from csv.reader(stream, delimiter="\t", quoting=csv.QUOTE_NONE)


def _sb10k(path: Path) -> Corpus:
    splits = {}
    for split in ("train", "dev", "test"):
        for row in _tsv(path / f"sb10k_notpreprocessed_{split}.tsv"):
            splits[row[0]] = "test" if split == "test" else "train"
    examples = [
        Example(row[2], "de", "sb10k", splits[row[0]], sentiment=row[1])
        for row in _tsv(path / "sb10k_corpus_v1.0.cgsa.tsv")
        if row[0] in splits and row[1] in SENTIMENTS
    ]
    return Corpus("sb10k", "tweet ids public; texts under the platform's terms", examples)


def _potts(path: Path) -> Corpus:
    test = {row[2] for row in _tsv(path / "potts_notpreprocessed_test.tsv") if len(row) > 2}
    examples = []
    for row in _tsv(path / "potts_corpus_label_text.tsv"):
        if len(row) < 2 or row[0] not in SENTIMENTS:
            continue  # "mixed" has no place among three classes
        split = "test" if row[1] in test else "train"  # dev rows train: we tune nothing on them
        examples.append(Example(row[1], "de", "potts", split, sentiment=row[0]))
    return Corpus("potts", "MIT", examples)


def _preotiuc(path: Path) -> Corpus:
    examples = []
    with (path / "complaints-data.jsonl").open(encoding="utf-8") as stream:
        for line in stream:
            row = json.loads(line)
            split = "test" if held_out(row["tweet_id"]) else "train"
            examples.append(
                Example(
                    row["text"],
                    "en",
                    "complaints_preotiuc2019",
                    split,
                    complaint=bool(row["complaint"]),
                )
            )
    return Corpus("complaints_preotiuc2019", "research use, cite the paper", examples)


def _airline(path: Path) -> Corpus:
    examples = []
    with (path / "Tweets.csv").open(encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream):
            split = "test" if held_out(row["tweet_id"] + row["text"]) else "train"
            examples.append(
                Example(
                    row["text"],
                    "en",
                    "twitter_us_airline_sentiment",
                    split,
                    sentiment=row["airline_sentiment"],
                )
            )
    return Corpus("twitter_us_airline_sentiment", "CC BY-NC-SA 4.0", examples)


_SEMEVAL_TRAIN = (
    "twitter-2013train-A.tsv",
    "twitter-2013dev-A.tsv",
    "twitter-2015train-A.tsv",
    "twitter-2016train-A.tsv",
    "twitter-2016dev-A.tsv",
    "twitter-2016devtest-A.tsv",
)


def _semeval(path: Path) -> Corpus:
    examples = []
    for file in _SEMEVAL_TRAIN:
        for row in _tsv(path / file):
            if len(row) >= 3 and row[1] in SENTIMENTS:
                examples.append(
                    Example(_unescape(row[2]), "en", "semeval2017", "train", sentiment=row[1])
                )
    for row in _tsv(path / "SemEval2017-task4-test.subtask-A.english.txt"):
        if len(row) >= 3 and row[1] in SENTIMENTS:
            examples.append(Example(row[2], "en", "semeval2017/test", "test", sentiment=row[1]))
    return Corpus("semeval2017_task4a_en", "organisers' terms; tweets under X's terms", examples)


def _unescape(text: str) -> str:
    text = text.strip('"')
    return text.replace("\\u002c", ",").replace("\\u2019", "’").replace('\\""', '"')


_LOADERS = (
    ("LABEL_GUIDE.md", _telecom),
    ("germeval2017_dev.jsonl", _germeval),
    ("sb10k_corpus_v1.0.cgsa.tsv", _sb10k),
    ("potts_corpus_label_text.tsv", _potts),
    ("complaints-data.jsonl", _preotiuc),
    ("Tweets.csv", _airline),
    ("twitter-2013train-A.tsv", _semeval),
)
