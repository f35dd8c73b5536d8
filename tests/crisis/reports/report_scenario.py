"""A small crisis morning with every number known by hand, for the report tests.

Saturday 13 May 2017, 08:00-12:00 UTC (10:00-14:00 in Berlin). Comments (customer ones only;
``Nordtel`` is our own account and never counts, however its name is written). Authors are
named where the report must pair complaints and answers by customer; every other comment has its
own author. All on Facebook but c13.

    hour  comment                                   labels (model keywords.test)
    07:30 c0  internet complaint (before the period)
    08:05 c1  Jana: internet complaint, Hamburg     negative   reply sent 08:35 (30 min)
    08:10 c2  Ole: internet complaint, München      negative   reply sent 09:40 (90 min)
    08:15 c4  Ole again: internet complaint         negative   reply withdrawn as a duplicate at
                                                               08:30; answered by c2's reply at
                                                               09:40 (85 min)
    08:20 c3  question                              neutral
    08:30 --  Nordtel's own post                    (not counted)
    09:00 c5  Jana again: internet complaint, HH    negative   reply sent 09:20 (20 min)
    09:15 c6  mobile complaint, churn, <script>     negative   rejected by lena
    09:40 c7  praise                                positive
    09:45 c8  blames us for WhatsApp                neutral    (not a complaint)
    09:50 c14 Eva: internet complaint               negative   reply withdrawn (superseded) at
                                                               10:30; follow-up sent 10:41 (51 min)
    10:10 c9  Max: internet complaint, legal+churn  negative   answered 12:10 by tom (120 min)
    10:20 c13 Max on X: internet complaint          negative   not answered (Max's answers went
                                                               out on Facebook)
    10:50 c10 phone complaint                       negative   reply pending
    11:10 c12 only labelled by other.v0             (not labelled by keywords.test)
    11:30 --  "@nordtel": our own account again     (not counted)
    12:30 c11 internet complaint (after the period)

Follow-ups of incident #1, queued at 10:30 for each customer with a reply: Jana (on c1) and Max
(on c9) pending, Eva (on c14) sent 10:41, Ole (on c2) rejected by anna at 11:00.

By complaint: 9 complaints, 6 answered (20, 30, 51, 85, 90, 120 min): median 68 min, p90 120
min, 3 within the hour. By customer: 7 (Jana, Ole, Eva, Max, Max on X, c6's and c10's authors),
4 answered from their first complaint (Jana 30, Ole 90, Eva 51, Max 120 min): median 70.5 min.

Incident #1 internet (carries phone), opened 08:30 by the detector (30 + 3 min window, so its
first complaint is c1 at 08:05: 25 min delay), identified 09:30 with ETA 12:00, resolved 10:30.
While open: c5, c14, c9, c13 (4 complaints, 3 answered: 20, 51, 120 min).
Posts: ``post-mothers-day`` (marketing, due 09:45) held at 08:30, resumed at 11:00 by lena to
13:00; ``post-deal`` (marketing, due 14:00) held at 08:30 and still held; ``post-maintenance``
(service, due 09:00) published at 09:00.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from crisis import incidents, posts
from crisis.clock import VirtualClock
from crisis.domain import Sentiment, Service, Urgency
from crisis.replies import queue, sending
from crisis.replies.common import ACTOR as RESPONDER
from crisis.tables import ReviewItem
from crisis.testing import RecordingPublisher
from tests.factories import make_labels, store_comment

MODEL = "keywords.test"
OWN = ["Nordtel"]
START = datetime(2017, 5, 13, 8, 0, tzinfo=UTC)
END = datetime(2017, 5, 13, 12, 0, tzinfo=UTC)
NOW = datetime(2017, 5, 13, 13, 0, tzinfo=UTC)
SCRIPT = "<script>alert('x')</script> Kein Netz, ich kündige!"


def at(hhmm: str) -> datetime:
    hours, minutes = hhmm.split(":")
    return START.replace(hour=int(hours), minute=int(minutes))


def complaint(service: Service, *urgent: Urgency):  # noqa: ANN201
    return make_labels(model=MODEL, service=service, urgent=urgent)


def other(sentiment: Sentiment, **extra):  # noqa: ANN003, ANN201
    return make_labels(model=MODEL, is_complaint=False, service=None, sentiment=sentiment, **extra)


def build(session: Session) -> dict[str, int]:
    """Store the scenario; returns the comment ids by name."""
    ids: dict[str, int] = {}

    def comment(name: str, when: datetime, text: str, labels, **kw) -> None:  # noqa: ANN001
        ids[name] = store_comment(session, at=when, text=text, labels=labels, **kw)

    comment("c0", at("07:30"), "Internet weg", complaint(Service.INTERNET))
    comment(
        "c1",
        at("08:05"),
        "Kein Internet in Hamburg, Router blinkt",
        complaint(Service.INTERNET),
        location="Hamburg",
        author="Jana",
    )
    comment(
        "c2",
        at("08:10"),
        "Internet tot in München, Router aus",
        complaint(Service.INTERNET),
        author="Ole",
    )
    comment("c4", at("08:15"), "Immer noch nichts", complaint(Service.INTERNET), author="Ole")
    comment("c3", at("08:20"), "Frage zum Tarif", other(Sentiment.NEUTRAL))
    comment(
        "own",
        at("08:30"),
        "Wir arbeiten an einer Störung",
        other(Sentiment.NEUTRAL),
        author="Nordtel",
    )
    comment(
        "c5",
        at("09:00"),
        "Internet Störung in Hamburg, Router",
        complaint(Service.INTERNET),
        author="Jana",
    )
    comment("c6", at("09:15"), SCRIPT, complaint(Service.MOBILE, Urgency.CHURN))
    comment("c7", at("09:40"), "Danke für die schnelle Hilfe", other(Sentiment.POSITIVE))
    comment(
        "c8",
        at("09:45"),
        "WhatsApp geht nicht",
        make_labels(model=MODEL, service=None, sentiment=Sentiment.NEUTRAL, third_party="whatsapp"),
    )
    comment("c14", at("09:50"), "Totalausfall bei uns", complaint(Service.INTERNET), author="Eva")
    comment(
        "c9",
        at("10:10"),
        "Ich verklage euch, Internet seit Stunden weg",
        complaint(Service.INTERNET, Urgency.LEGAL, Urgency.CHURN),
        author="Max",
    )
    comment(
        "c13",
        at("10:20"),
        "Netzausfall im Büro",
        complaint(Service.INTERNET),
        author="Max",
        platform="x",
    )
    comment("c10", at("10:50"), "Telefon geht nicht", complaint(Service.PHONE))
    comment(
        "c12",
        at("11:10"),
        "Hallo?",
        make_labels(
            model="other.v0", is_complaint=False, service=None, sentiment=Sentiment.NEUTRAL
        ),
    )
    comment("own2", at("11:30"), "Alles wieder gut", other(Sentiment.NEUTRAL), author=" @nordtel")
    comment("c11", at("12:30"), "Internet schon wieder weg", complaint(Service.INTERNET))

    posts.schedule_post(
        session,
        key="post-mothers-day",
        channel="facebook",
        category="marketing",
        text="Muttertag! <b>Flat</b> für Mama",
        publish_at=at("09:45"),
        now=at("08:00"),
        actor="anna",
    )
    posts.schedule_post(
        session,
        key="post-deal",
        channel="x",
        category="marketing",
        text="Neuer Deal",
        publish_at=START.replace(hour=14),
        now=at("08:00"),
        actor="anna",
    )
    posts.schedule_post(
        session,
        key="post-maintenance",
        channel="x",
        category="service",
        text="Wartung heute",
        publish_at=at("09:00"),
        now=at("08:00"),
        actor="anna",
    )
    card = {
        "reason": "9 customers complained about internet",
        "window_minutes": 30,
        "persistence_minutes": 3,
        "examples": [{"id": "x", "at": at("08:10").isoformat(), "text": SCRIPT}],
    }
    incident = incidents.open_incident(
        session,
        service=Service.INTERNET,
        now=at("08:30"),
        opened_by="detector",
        actor="detector",
        reason=card["reason"],
        regions=["Hamburg"],
        status="suspected",
        explanation=card,
    )
    assert incident.id is not None
    publisher = RecordingPublisher()
    posts.publish_due(session, publisher, now=at("09:00"))
    incidents.update_incident(
        session,
        incident.id,
        now=at("09:30"),
        actor="lena",
        status="identified",
        eta=at("12:00"),
        reason="router firmware",
    )
    incidents.resolve_incident(session, incident.id, now=at("10:30"), actor="lena", reason="fixed")
    posts.resume_posts(
        session,
        keys=["post-mothers-day"],
        now=at("11:00"),
        actor="lena",
        publish_at=START.replace(hour=13),
    )

    def item(name: str, kind: str, when: datetime, **extra) -> int:  # noqa: ANN003
        row = ReviewItem(
            comment_id=ids[name],
            incident_id=incident.id,
            lang="de",
            text="Die Störung ist behoben" if kind == "follow_up" else "Wir kümmern uns",
            state="pending",
            created_at=when,
            arrived_at=when,
            kind=kind,
            platform="x" if name == "c13" else "facebook",
            **extra,
        )
        session.add(row)
        session.flush()
        assert row.id is not None
        return row.id

    replies = {
        name: item(name, "reply", START, needs_human=name in ("c6", "c9"))
        for name in ("c1", "c2", "c4", "c5", "c6", "c14", "c9", "c10")
    }
    session.commit()
    queue.reject(session, replies["c4"], actor=RESPONDER, now=at("08:30"), reason="duplicate: Ole")
    for name, sent, who in (
        ("c1", "08:35", "anna"),
        ("c2", "09:40", "anna"),
        ("c5", "09:20", "anna"),
        ("c9", "12:10", "tom"),
    ):
        send(session, publisher, replies[name], who, at(sent))
    queue.reject(session, replies["c6"], actor="lena", now=at("09:50"), reason="call them")
    queue.reject(session, replies["c14"], actor=RESPONDER, now=at("10:30"), reason="superseded")
    follow_ups = {
        name: item(name, "follow_up", at("10:30"), needs_human=name == "c9")
        for name in ("c1", "c2", "c14", "c9")
    }
    session.commit()
    send(session, publisher, follow_ups["c14"], "anna", at("10:41"))
    queue.reject(session, follow_ups["c2"], actor="anna", now=at("11:00"), reason="called him")
    session.commit()
    return ids


def send(
    session: Session, publisher: RecordingPublisher, item_id: int, who: str, when: datetime
) -> None:
    """Approved a minute before, sent at ``when``."""
    queue.approve(session, item_id, actor=who, now=when - timedelta(minutes=1))
    session.commit()
    engine = session.get_bind()  # sending opens its own short transactions
    sending.send(engine, item_id, publisher, actor=who, clock=VirtualClock(when))
    session.expire_all()  # what sending recorded, not what this session last read
