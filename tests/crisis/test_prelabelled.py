"""A replay labels its comments ahead of time in big batches; the labels must stay the same."""

from crisis.classify import Prelabelled
from crisis.testing import KeywordClassifier
from tests.factories import make_labels


def test_known_texts_are_labelled_once_in_large_batches_and_unknown_ones_on_demand():
    inner = KeywordClassifier({"DSL": make_labels()})
    texts = [f"kein DSL {i}" for i in range(300)] + ["Hallo", "kein DSL 1"]
    wrapped = Prelabelled(inner, texts, chunk=256)
    assert [len(call) for call in inner.calls] == [256, 45]  # duplicates labelled once
    assert wrapped.name == inner.name

    asked = ["kein DSL 7", "Hallo", "neu: kein DSL", "neu: kein DSL"]
    assert wrapped.classify(asked) == KeywordClassifier(inner.rules).classify(asked)
    assert inner.calls[-1] == ["neu: kein DSL"]  # only the text it had not seen
