"""Which comments get a reply suggestion, which go to a person, and which get nothing.

Pure decisions on plain values: no database, no API client. ``crisis.replies.respond`` gathers the
facts (who we are, whether the comment is addressed to us, whether an incident is open for its
service, whether its author already has a reply for that incident) and applies the decision. The
situation is ``responders.situations``' and the language ``responders.languages``'. The rules, in
order:

1. never our own posts, nor other brands' or bots' accounts;
2. nothing that is someone else's conversation (see ``crisis.replies.respond.addressed_to_us``);
3. urgent comments (churn, legal, business, vulnerable, safety) go to a person, flagged,
   always: even when the customer already has a reply, an escalation is not a template; the
   item carries a draft to start from (the incident's facts where it belongs to one);
4. a language we have no templates for goes to a person with the reason, whatever it says,
   rather than getting a wrong-language reply or none;
5. one template reply per customer per incident;
6. complaints, me-too, outage questions, other questions and praise get a template; anything
   else gets nothing.
"""

from __future__ import annotations

from crisis.domain import CommentView, Decision, Labels, ReplyContext, Verdict, account_key
from responders.languages import comment_language, describe, language
from responders.situations import OUTAGE_QUESTION, OUTAGE_SERVICES, situation_for

FOLLOW_UP = "resolved_follow_up"
DRAFT_SITUATION = "complaint"  # what an urgent comment outside any situation is drafted from

__all__ = [
    "FOLLOW_UP",
    "OUTAGE_QUESTION",
    "OUTAGE_SERVICES",
    "decide",
    "language",
    "situation_for",
]


def decide(comment: CommentView, labels: Labels, context: ReplyContext) -> Decision:
    """Suggest a template (with its situation), flag for a person, or skip, with the reasons."""
    author = account_key(comment.author)
    if author in context.own_accounts:
        return Decision(Verdict.SKIP, reasons=("our own account",))
    if author in context.bot_accounts:
        return Decision(Verdict.SKIP, reasons=("another brand's or a bot account",))
    if not context.addressed_to_us:
        return Decision(Verdict.SKIP, reasons=("not addressed to us",))
    situation = situation_for(comment, labels, has_incident=context.has_incident)
    lang = comment_language(comment, labels, context.default_lang)
    no_language = (
        () if lang in context.languages else (f"no template for language {describe(lang)}",)
    )
    if labels.urgent:
        reasons = tuple(dict.fromkeys(reason.value for reason in labels.urgent))
        draft = situation or DRAFT_SITUATION
        return Decision(Verdict.FLAG, draft, lang, (*reasons, *no_language))
    if no_language:
        return Decision(Verdict.FLAG, situation, lang, no_language)
    if context.already_answered:
        return Decision(Verdict.SKIP, reasons=("customer already has a reply for this incident",))
    if situation is None:
        return Decision(Verdict.SKIP, lang=lang, reasons=("no reply needed",))
    return Decision(Verdict.SUGGEST, situation, lang)
