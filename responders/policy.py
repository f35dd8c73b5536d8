"""Which comments get a reply suggestion, which go to a person, and which get nothing.

Pure decisions on plain values: no database, no API client. ``crisis.replies.respond`` gathers the
facts (who we are, whether the comment is addressed to us, whether its author already has a
reply for the incident) and applies the decision. The rules, in order:

1. never our own posts, nor other brands' or bots' accounts;
2. nothing that is someone else's conversation (see ``crisis.replies.respond.addressed_to_us``);
3. urgent comments (churn, legal, business, vulnerable, safety) go to a person, flagged,
   always: even when the customer already has a reply, an escalation is not a template;
4. one template reply per customer per incident;
5. complaints, questions and praise get a template in the comment's language; a language we
   have no templates for goes to a person untranslated rather than getting a wrong-language
   reply; anything else gets nothing.
"""

from __future__ import annotations

import re

from crisis.domain import (
    CommentView,
    Decision,
    Labels,
    ReplyContext,
    Sentiment,
    Service,
    Verdict,
    account_key,
)

# With no incident, a complaint about one of these is likely an outage we have not seen yet.
OUTAGE_SERVICES = frozenset(
    {Service.MOBILE, Service.INTERNET, Service.PHONE, Service.TV, Service.EMAIL}
)
FOLLOW_UP = "resolved_follow_up"
# A question about the outage itself ("Wann geht es wieder?", "Habt ihr eine Störung?") gets the
# incident's facts, not the generic "send us a DM" answer; other questions during an outage
# ("Was kostet der Tarif?") keep the question template.
OUTAGE_QUESTION = re.compile(
    r"wieder|st[öo]rung|ausfall|ausgefallen|\bgeht\b.*\bnicht\b|kaputt|\bwann\b.*\b(geht|läuft|funktioniert)"
    r"|\b(outage|down|again|fixed|back up|working|restored)\b",
    re.IGNORECASE,
)
_UNDETERMINED_LANGS = frozenset({"und", "zxx"})  # what X sends when it cannot tell


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
    lang = language(comment.lang) or language(labels.lang)
    no_language = (
        () if lang in context.languages else (f"no template for language {lang or 'unknown'}",)
    )
    if labels.urgent:
        reasons = tuple(dict.fromkeys(reason.value for reason in labels.urgent))
        return Decision(Verdict.FLAG, situation, lang, (*reasons, *no_language))
    if context.already_answered:
        return Decision(Verdict.SKIP, reasons=("customer already has a reply for this incident",))
    if situation is None:
        return Decision(Verdict.SKIP, lang=lang, reasons=("no reply needed",))
    if no_language:
        return Decision(Verdict.FLAG, situation, lang, no_language)
    return Decision(Verdict.SUGGEST, situation, lang)


def situation_for(comment: CommentView, labels: Labels, *, has_incident: bool) -> str | None:
    """The template situation for a comment, or ``None`` when it needs no reply."""
    if labels.is_complaint:
        if has_incident:
            return "outage_incident"
        service = labels.service or Service.OTHER
        return "outage_no_incident" if service in OUTAGE_SERVICES else "complaint"
    if "?" in comment.text:
        if has_incident and OUTAGE_QUESTION.search(comment.text):
            return "outage_incident"  # "Geht das dann bis 18 Uhr wieder?": answer with the facts
        return "question"
    if labels.sentiment == Sentiment.POSITIVE:
        return "praise"
    return None


def language(code: str | None) -> str | None:
    """The base language of a tag (``"de-AT"`` -> ``"de"``); ``None`` when unknown."""
    base = (code or "").strip().lower().replace("_", "-").split("-")[0]
    return None if not base or base in _UNDETERMINED_LANGS else base
