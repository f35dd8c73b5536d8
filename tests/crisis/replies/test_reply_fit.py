"""Issue 21's "done when" on the written outage set (responders/data/reply_fit.psv): every
affected customer one reply of the right situation, at each incident stage."""

import pytest

from benchmarks.reply_fit import STAGES, read_rows, run


def test_the_written_set_has_at_least_300_comments_with_a_situation_each():
    rows = read_rows()
    assert len(rows) >= 300
    assert {"me_too", "nudge", "outage_question", "third_party", "irony"} <= {r.kind for r in rows}


@pytest.mark.parametrize("stage", STAGES)
def test_each_stage_answers_every_affected_customer_once_and_says_nothing_wrong(stage):
    [result] = run((stage,))

    assert result["outage_fit"] >= 0.95, result["misses"]
    assert result["all_fit"] >= 0.95, result["misses"]
    assert result["praise_to_complaints"] == 0
    assert result["known_claims"] == 0, result["claims"]
    assert result["facts_twice"] == 0
    assert result["two_replies"] == 0
