"""Which reply situation a comment is in: decided here, in one place, on its text and labels.

The classifier's labels say whether a comment is a complaint and about which service; what they
miss during an outage is the way customers actually write to us then. So, while an incident is
open for the comment's service (``has_incident``), these are that incident's complaints:

- a labelled complaint, and a complaint about a third-party app ("WhatsApp geht nicht") during
  our outage of the service the app runs on (the caller links it only then);
- me-too: "bei mir auch", "hier auch", "Köln-Poll auch", a place name alone ("Köln-Braunsfeld");
- no-content follow-ups: "???", "Und jetzt?", "Immer noch nichts", only a mention;
- outage words the labels missed ("Netz hat Feierabend gemacht 😂", "kein Empfang");
- questions about the outage ("Wann geht das wieder?", "Ist die Störung bekannt?", "Wie lange
  noch?"): they get the incident's facts, not the "send us a DM" answer.

Praise needs praise words and no irony or laughter at our expense, and is never a complaint or
me-too: "vielen Dank für das Lob" under "euer Netz hat Feierabend gemacht 😂" is what this
module exists to prevent.
"""

from __future__ import annotations

import re

from crisis.domain import CommentView, Labels, Sentiment, Service

OUTAGE_INCIDENT = "outage_incident"
# With no incident, a complaint about one of these is likely an outage we have not seen yet.
OUTAGE_SERVICES = frozenset(
    {Service.MOBILE, Service.INTERNET, Service.PHONE, Service.TV, Service.EMAIL}
)
_I = re.IGNORECASE
_MENTION = re.compile(r"(?<![\w.])@\w+")
_URL = re.compile(r"https?://\S+")
# Emoji and other symbols: they carry tone (see _IRONY), not content.
_SYMBOLS = re.compile(r"[^\w\s?!.,;:'\"()/+-]")
_ME_TOO = re.compile(
    r"\b(bei mir|bei uns|hier|ich|wir|dito|ebenso)\s+(auch|ebenfalls|genauso|dasselbe)"
    r"(?=\s*(?:$|[.,!?;:)]|nicht\b|nix\b|nichts\b|kein|weg\b|tot\b|down\b|betroffen|so\b|seit\b))"
    r"|\b(auch|ebenfalls)\s+(bei mir|bei uns|hier|betroffen|in\s+[A-ZÄÖÜ])"
    r"|\b(bei mir|bei uns|hier)\b.{0,30}\b(auch|ebenfalls|genauso|ebenso|immer noch|noch immer)"
    r"(\s+noch)?\s*$"
    r"|\b(same here|me too|here too|same (problem|issue)|same for me|also (down|affected))\b"
    r"|\b(gleiche|dasselbe|selbe)s?\s+(problem|hier|bei mir)\b"
    r"|^(genauso|ebenso|dito|gleiches|same)\b"
    r"|^\s*(\+1|dito|same|detto|auch so|jep|jup)\s*[.!]*\s*$"
    r"|^(in\s+)?[A-ZÄÖÜ][\wäöüß.-]+(?:[\s-][A-ZÄÖÜ][\wäöüß.-]+){0,2}\s+"
    r"(auch|ebenfalls|genauso|ebenso|too|immer noch|noch immer)(\s+(noch|betroffen))?\s*[.!]*\s*$",
    _I,
)
# What is left of a comment without mentions, links and emoji, when it says nothing new.
_NO_CONTENT = re.compile(
    r"^(|und( jetzt| nun| weiter)?|jetzt|na|ey|hey|hallo( nordtel)?|hello|hi|halloo+"
    r"|(immer|noch) (noch|immer)( nichts| nix| nicht| so| kaputt| down| tot)?|nach wie vor"
    r"|weiterhin( nichts| nix)?|update|updates|news|neuigkeiten|infos?|status|antwort"
    r"|was ist (jetzt|nun|los)|was nun|echt jetzt|wirklich|seriously|still|still down"
    r"|any (news|updates?)|anyone|und was ist jetzt)$",
    _I,
)
_PLACE = re.compile(r"^(\d{5}\s+)?[A-ZÄÖÜ][\wäöüß.]+(?:[\s-]+[A-ZÄÖÜ0-9][\wäöüß.]*){0,3}$")
# Capitalised single words that are not places ("Danke", "Hallo", "Nordtel").
_NOT_PLACES = frozenset(
    "danke hallo hi hey super toll top klasse nein ja warum wann wie was wer wo hilfe update "
    "genau okay ok same nordtel stimmt echt krass wow lol nice perfekt prima bitte tschüss "
    "hammer mega geil jo jep jup thanks thank great".split()
)
_OUTAGE_WORDS = re.compile(
    r"st[öo]rung|ausfall|ausgefallen|\b(geht|gehen)\b.{0,40}\b(nicht|nix|nichts|gar nichts)\b"
    r"|funktionier\w*\s.{0,30}\bnicht\b|\bnicht\b.{0,15}\b(erreichbar|online|verbunden)\b"
    r"|\b(kein(e|en)?|ohne)\s+(netz|empfang|internet|inet|dsl|lte|5g|4g|signal|verbindung|daten|"
    r"mobiles internet|mobile daten|telefon|festnetz|tv|fernsehen|nachrichten)\b|\bnetz\w*\b.{0,30}"
    r"\b(weg|tot|down|feierabend|futsch|im eimer|am arsch)\b|\b(tot|down|offline|kaputt|lahm)\b"
    r"|nichts geht|nix geht|bei einem haken|ein haken|l[äa]dt\b.{0,25}\bnicht|brechen ab|bricht ab"
    r"|\bkann\b.{0,30}\b(nicht|keine)\b|\b(immer noch|noch immer)\b|\bedge\b"
    r"|\bno (signal|service|internet|connection)\b|not working|doesn'?t work|\bis down\b|outage"
    r"|no data",
    _I,
)
# What a question about something other than the outage is about ("Wie lange ist mein Guthaben
# gültig?"): it keeps the question template even during an outage.
_OFF_TOPIC = re.compile(
    r"rechnung|tarif|vertrag|guthaben|rabatt|shop|filiale|\bsim|esim|\bpuk\b|rufnummer"
    r"|kundennummer|roaming|datenvolumen|\bvolumen|angebot|iphone|pixel|samsung|router|bestell"
    r"|lieferung|paket|abbuch|gutschrift|bankverbindung|kündig|\boption|portierung|prepaid"
    r"|wlan-call|apple watch|glasfaser|umzug|techniker-termin|grundgebühr|aufladung|invoice|bill\b"
    r"|charged|contract|tariff|plan\b|tourist|kostet|kosten|preis|€|euro\b|price|cost",
    _I,
)
_QUESTION_START = re.compile(
    r"^(wann|wie|warum|wieso|weshalb|was|wo|ist|sind|gibt|habt|seid|hat|kann|könnt|läuft|geht"
    r"|when|how|why|what|is|are|any|will|do|does|can)\b",
    _I,
)
OUTAGE_QUESTION = re.compile(
    r"st[öo]rung|ausfall|ausgefallen|\bnetz|empfang|internet|\blte\b|mobile daten|verbindung"
    r"|wieder|behoben|bekannt|was ist (da |denn )?los|lösung|prognose|uhrzeit|neuigkeiten|neues"
    r"|\binfo|absehbar|vorbei|telefonieren|problem|ganz [A-ZÄÖÜ]|betrifft|betroffen|überall"
    r"|\b(outage|down|again|fixed|back|working|restored|how long|known|eta|issue|signal|update)\b",
    _I,
)
# Short questions that during an outage can only mean it: "Wie lange noch?", "Dauert das noch?"
_SHORT_OUTAGE_QUESTION = re.compile(r"\bwie lange\b|\bwann\b|\bdauert\b|\bnoch\b", _I)
SHORT_QUESTION_WORDS = 7
_PRAISE = re.compile(
    r"dank|super|toll|klasse|spitze|\btop\b|prima|gro[ßs]artig|perfekt|lob|respekt|zufrieden"
    r"|hervorragend|vorbildlich|schnell|läuft wieder|funktioniert wieder|geht wieder|bester?\b"
    r"|thank|great|awesome|love|perfect|kudos|well done|working again|👍|❤|♥|😍|🙏|💪|🥰|😊",
    _I,
)
# Laughter, eye-rolls and set phrases of sarcasm: never answered with "wie schön, das zu lesen".
_IRONY = re.compile(
    r"😂|🤣|😆|😅|🙄|🤡|💩|🙈|\bha(ha)+|\bhihi|\blol\b|\blmao\b|\bxd\b|\bna (toll|super|klasse)"
    r"|danke für nichts|(ganz|echt|wirklich) (toll|super|klasse)|feierabend|/s\b|ironie"
    r"|sarkas|glückwunsch|gratulation|respekt,? nordtel|bravo|thanks for nothing|great job"
    r"|nice one|wieder mal|mal wieder|wie immer|\?!|!\?|\bnot\b|\bnicht\b|\bkein",
    _I,
)


def content(text: str) -> str:
    """The words of a comment: no mentions, links, emoji, or surrounding punctuation."""
    text = _SYMBOLS.sub(" ", _URL.sub(" ", _MENTION.sub(" ", text)))
    return " ".join(text.split()).strip(" .,;:!?-()'\"")


def is_me_too(text: str) -> bool:
    """ "bei mir auch", "hier auch", "Köln-Poll auch", or a place name alone."""
    words = content(text)
    if _ME_TOO.search(words):
        return True
    if not _PLACE.fullmatch(words):
        return False
    return not any(word in _NOT_PLACES for word in re.split(r"[\s-]+", words.casefold()))


def is_no_content(text: str) -> bool:
    """A nudge, nothing new: "???", "Und jetzt?", "Hallo? Immer noch nichts.", only a mention
    with a question mark. A lone emoji is not one: a nudge asks or says something."""
    words = content(text).casefold()
    if not words:
        return "?" in text
    parts = [part.strip() for part in re.split(r"[?.!,]+", words) if part.strip()]
    return all(_NO_CONTENT.fullmatch(part) for part in parts)


def is_question(text: str) -> bool:
    return "?" in text or bool(_QUESTION_START.match(content(text)))


def is_outage_question(text: str) -> bool:
    """A question about the outage itself: when, whether known, how long; not one about a
    tariff, a bill or a shop that happens to say "wann" or "wieder"."""
    if not is_question(text) or _OFF_TOPIC.search(text):
        return False
    if OUTAGE_QUESTION.search(text):
        return True
    short = len(content(text).split()) <= SHORT_QUESTION_WORDS
    return short and bool(_SHORT_OUTAGE_QUESTION.search(text))


def is_praise(comment: CommentView, labels: Labels) -> bool:
    """Praise in words or emoji, positive, and no irony, laughter or complaint in it."""
    text = comment.text
    if labels.is_complaint or labels.sentiment == Sentiment.NEGATIVE or is_me_too(text):
        return False
    if _IRONY.search(text) or _OUTAGE_WORDS.search(text):
        return False
    return labels.sentiment == Sentiment.POSITIVE and bool(_PRAISE.search(text))


def joins_incident(comment: CommentView, labels: Labels) -> bool:
    """Whether, during an open incident of its service, the comment is that incident's."""
    text = comment.text
    if labels.is_complaint or labels.third_party is not None:
        return True
    if is_no_content(text) or is_outage_question(text):
        return True
    if _OFF_TOPIC.search(text):
        return False  # "Gibt es das Pixel 8 auch in Grün?" is no me-too
    return is_me_too(text) or bool(_OUTAGE_WORDS.search(text))


def situation_for(comment: CommentView, labels: Labels, *, has_incident: bool) -> str | None:
    """The template situation for a comment, or ``None`` when it needs no reply."""
    if has_incident and joins_incident(comment, labels):
        return OUTAGE_INCIDENT
    if labels.is_complaint:
        service = labels.service or Service.OTHER
        return "outage_no_incident" if service in OUTAGE_SERVICES else "complaint"
    if is_question(comment.text) and content(comment.text):
        return "question"
    if is_praise(comment, labels):
        return "praise"
    return None
