"""Which stored comments speak to us (and may get a reply) and which belong to someone else."""

from __future__ import annotations

import pytest

from crisis.replies.respond import ReplySetup, addressed_to_us
from crisis.tables import Comment
from crisis.testing import EchoResponder
from responders.policy import decide
from tests.factories import T0

OWN = frozenset({"nordtel", "nordtel_hilft"})
THREADS = frozenset({"our-post-1", "customer-comment-7"})


def comment(text: str, *, platform: str = "x", in_reply_to: str | None = None) -> Comment:
    return Comment(
        platform=platform,
        external_id="1",
        author="kunde",
        text=text,
        created_at=T0,
        ingested_at=T0,
        in_reply_to=in_reply_to,
    )


@pytest.mark.parametrize(
    ("text", "in_reply_to"),
    [
        ("@nordtel Internet in Hamburg seit 7 Uhr tot", None),
        ("@Nordtel_Hilft hallo?", "some-thread-we-do-not-have"),
        ("Nordtel Internet seit heute früh weg, super.", None),  # names us, mentions nobody
        ("Bei mir auch, seit 8 Uhr", "customer-comment-7"),  # in a conversation with us
        ("Und wann geht es wieder?", "our-post-1"),
        ("Schreibt mir an kunde@example.org, das Netz ist weg", None),  # an e-mail is no mention
    ],
)
def test_comments_meant_for_us_are_addressed_to_us(text: str, in_reply_to: str | None) -> None:
    assert addressed_to_us(comment(text, in_reply_to=in_reply_to), OWN, THREADS)


@pytest.mark.parametrize(
    ("text", "in_reply_to"),
    [
        ("@max bei mir auch kein Netz", None),  # speaks to another customer only
        ("@max bei mir auch kein Netz", "max-tweet-we-do-not-have"),
        ("Bei mir auch", "a-stranger's-thread"),  # a reply in a conversation we do not know
    ],
)
def test_someone_elses_conversation_is_not_addressed_to_us(
    text: str, in_reply_to: str | None
) -> None:
    assert not addressed_to_us(comment(text, in_reply_to=in_reply_to), OWN, THREADS)


def test_every_comment_on_our_facebook_page_is_addressed_to_us() -> None:
    on_page = comment("@max bei mir auch", platform="facebook", in_reply_to="unknown-post")
    assert addressed_to_us(on_page, OWN, THREADS)


def test_account_settings_match_however_the_names_are_written() -> None:
    """CRISIS_OWN_AUTHORS and CRISIS_BOT_ACCOUNTS may be written with "@" and any case."""
    setup = ReplySetup(
        responder=EchoResponder(),
        policy=decide,
        own_authors=(" @Nordtel ",),
        bot_accounts=("@OtherBrand_Bot",),
    )
    assert setup.own == {"nordtel"}
    assert setup.bots == {"otherbrand_bot"}
