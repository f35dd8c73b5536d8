"""Scores checked against values computed by hand."""

from __future__ import annotations

import pytest

from classifiers.evaluation import multi_label, single_label, to_markdown


def test_single_label_scores_match_a_hand_computed_confusion_matrix() -> None:
    gold = ["neg", "neg", "neg", "neu", "neu", "pos"]
    pred = ["neg", "neg", "neu", "neu", "pos", "pos"]
    scores = single_label(gold, pred, ["neg", "neu", "pos"])
    assert scores.confusion == [[2, 1, 0], [0, 1, 1], [0, 0, 1]]
    # neg: P 2/2, R 2/3; neu: P 1/2, R 1/2; pos: P 1/2, R 1/1
    assert scores.per_class["neg"][:2] == pytest.approx((1.0, 2 / 3))
    assert scores.per_class["neu"][2] == pytest.approx(0.5)
    assert scores.per_class["pos"][2] == pytest.approx(2 / 3)
    assert scores.micro_f1 == pytest.approx(4 / 6)
    assert scores.macro_f1 == pytest.approx((0.8 + 0.5 + 2 / 3) / 3)


def test_classes_missing_from_the_gold_labels_do_not_count_in_the_macro_mean() -> None:
    scores = single_label(["a", "a"], ["a", "b"], ["a", "b", "c"])
    assert scores.macro_f1 == pytest.approx(2 / 3)  # only "a" (P 1, R 1/2) is in the gold labels


def test_multi_label_scores_each_label_as_yes_or_no() -> None:
    gold = [("churn",), ("churn", "legal"), (), ()]
    pred = [("churn",), ("legal",), ("churn",), ()]
    scores = multi_label(gold, pred, ["churn", "legal"])
    # churn: tp 1, fn 1, fp 1 -> P 0.5 R 0.5; legal: tp 1 -> 1.0
    assert scores.per_class["churn"][:3] == pytest.approx((0.5, 0.5, 0.5))
    assert scores.per_class["legal"][2] == pytest.approx(1.0)
    assert scores.micro_f1 == pytest.approx(2 / 3)  # tp 2, fp 1, fn 1


def test_markdown_puts_the_baseline_beside_our_scores() -> None:
    ours = {"sentiment": {"sb10k": single_label(["neg", "pos"], ["neg", "pos"], ["neg", "pos"])}}
    base = {"sentiment": {"sb10k": single_label(["neg", "pos"], ["neg", "neg"], ["neg", "pos"])}}
    table = to_markdown(ours, base)
    assert "| sentiment | sb10k | 2 | 1.000 | 1.000 | 0.333 | 0.500 |" in table
    assert "| gold \\ predicted | neg | pos |" in table
