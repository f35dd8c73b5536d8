#!/usr/bin/env python3
"""Generate the shipped demo scenario ``crisis/replay/scenarios/may2017.jsonl``.

A deterministic generator (``random.Random(2017)``, standard library only): running it again
writes the same bytes. Run from anywhere::

    python scripts/make_demo_scenario.py

The scenario follows a fictional operator, "Nordtel", through 8-15 May 2017: an ordinary week,
a customer portal shut down after a cyberattack (Friday afternoon), DSL failures in Hamburg and
Munich (Saturday and Sunday), held marketing posts and a resumed one. Every comment is invented.
See ``crisis/replay/scenarios/README.md``.
"""

from __future__ import annotations

import json
import random
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, NoReturn

SEED = 2017
TZ = timezone(timedelta(hours=2))  # Europe/Berlin, summer time
OUTPUT = Path(__file__).resolve().parent.parent / "crisis" / "scenarios" / "may2017.jsonl"

ACTOR = "lena.schmidt"
BRAND_FB = "Nordtel"
BRAND_X = "nordtel_hilft"
TWITTER_EPOCH_MS = 1288834974657  # X ids are snowflakes: they grow with time, like the real ones

SERVICES = (
    "mobile",
    "internet",
    "phone",
    "tv",
    "email",
    "customer_service",
    "billing",
    "other",
)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2017, 5, day, hour, minute, tzinfo=TZ)


START = at(8, 0)
END = at(15, 12)
CRISIS_START = at(12, 14, 30)
PORTAL_UPDATE = at(12, 17, 30)
PORTAL_RESOLVED = at(13, 12, 30)
DSL_START = at(13, 7, 30)
DSL_UPDATE = at(13, 10, 30)
DSL_ETA = at(13, 18)
DSL_MONITORING = at(14, 11)
DSL_RESOLVED = at(14, 15)

# Facebook page posts the comments hang under. They are not events of the file: the page
# published them itself (the Glasfaser one is what ``post-glasfaser`` became when published).
FB_PINNED = "1498712300101"  # pinned "Willkommen auf der Nordtel-Seite" post
FB_SPRING = "1498712300187"  # Fri 5 May: spring offer
FB_GLASFASER = "1498712300264"  # Wed 10 May 11:00: the Glasfaser offer
FB_ESC = "1498712300342"  # Fri 12 May 10:00: "ESC-Finale am Samstag mit Nordtel TV"
FB_PAGE_POSTS: list[tuple[datetime, str]] = [
    (at(1, 9), FB_PINNED),
    (at(5, 12), FB_SPRING),
    (at(10, 11), FB_GLASFASER),
    (at(12, 10), FB_ESC),
]

# ---------------------------------------------------------------------------------------------
# Text pools. Placeholders: {ort} a place in the comment's city, {uhrzeit} the comment's time.
# ---------------------------------------------------------------------------------------------

QUESTIONS_DE = [
    "Hallo, gibt es bei euch schon eSIM für das iPhone?",
    "Wann kommt Glasfaser nach Lokstedt? Auf der Karte steht seit einem Jahr 'in Planung'.",
    "Ich ziehe Ende Juni um, kann ich meinen DSL-Vertrag mitnehmen?",
    "Wie lange dauert eine Rufnummernmitnahme von einem anderen Anbieter zu euch?",
    "Kostet Roaming in der Schweiz extra? Die ist ja nicht in der EU.",
    "Ab wann fallen die Roaminggebühren in der EU eigentlich weg? Im Juni, oder?",
    "Kann ich meine Allnet-Flat auch im Urlaub in Spanien nutzen?",
    "Gibt es die Multi-SIM auch für Prepaid?",
    "Wie kündige ich eine Zusatzoption? Finde im Kundencenter nichts dazu.",
    "Hallo Nordtel, mein Vertrag läuft im August aus. Bekomme ich als Bestandskunde ein neues "
    "Handy?",
    "Unterstützt die Nordtel Box 2 auch Mesh-WLAN?",
    "Welche Geschwindigkeit bekomme ich mit VDSL 100 wirklich? Im Verfügbarkeitscheck steht "
    "nur 'bis zu'.",
    "Wann ist der Glasfaser-Ausbau für Pasing geplant?",
    "Kann ich bei euch auch nur Internet ohne Festnetz buchen?",
    "Gibt es einen Studentenrabatt?",
    "Mein Sohn wird 12, welchen Prepaid-Tarif empfehlt ihr für Kinder?",
    "Funktioniert WLAN Call auf dem Galaxy S8?",
    "Wie aktiviere ich die Mailbox wieder?",
    "Wo finde ich meinen PUK? Handy gesperrt nach 3 falschen Versuchen 🙈",
    "Bekomme ich beim Umzug nach Leipzig dieselbe Geschwindigkeit?",
    "Hallo, ist LTE bei Prepaid inklusive oder kostet das extra?",
    "Kann man die Rechnung auch per Post bekommen statt online?",
    "Gibt es schon einen Termin für 5G? 😄",
    "Wie lange ist die Mindestvertragslaufzeit beim Glasfaser-Tarif?",
    "Kann ich meine Festnetznummer beim Umzug innerhalb von Hamburg behalten?",
    "Habt ihr eine Datenautomatik und kann man die abschalten?",
    "Zeigt Nordtel TV auch das Pokalfinale Ende Mai?",
    "Ich bin Neukunde, der Techniker kommt Donnerstag. Muss ich zu Hause sein oder reicht ein "
    "Nachbar?",
    "Wie viel kostet eine zweite SIM-Karte für die Smartwatch?",
    "Frage: Gilt der Glasfaser-Aktionspreis auch für Bestandskunden?",
    "Gibt es eine Prämie, wenn ich meine Nummer zu euch portiere?",
    "Wo in Köln ist der nächste Nordtel Shop?",
    "Kann ich im Shop mit Karte zahlen?",
    "Wie stelle ich an der Nordtel Box eine Portfreigabe ein? Für die PS4.",
    "Hallo, bekomme ich bei euch auch eine feste IP-Adresse?",
    "Wann kommt Glasfaser nach Eimsbüttel? Die Nachbarn haben schon Post bekommen.",
    "Gibt es Nordtel TV auch als App für den Fire TV Stick?",
    "Wie ist euer Netz im Harz? Wir fahren im Juni hin.",
    "Kann ich den Tarif wechseln, ohne dass die Laufzeit neu beginnt?",
    "Kann ich mein Datenvolumen auch mitten im Monat dauerhaft erhöhen?",
    "Frage zum Umzug: Wie früh muss ich den bei euch melden?",
    "Gibt es die Allnet-Flat auch ohne Handy, nur als SIM-Karte?",
    "Kann ich die eSIM auf ein neues Handy übertragen?",
    "Habe ich in Kroatien LTE oder nur 3G?",
    "Wo kann ich meinen alten Router zurückgeben?",
    "Wie richte ich meine Nordtel-Mailadresse in Outlook ein?",
    "Kann ich die Rechnung auf meinen Mann umschreiben lassen?",
    "Gibt es bei euch auch Tarife mit Festnetz-Flat ins Ausland?",
]

QUESTIONS_EN = [
    "Hi, do you offer English-speaking support? Just moved to Munich.",
    "Can I get a prepaid SIM without a German bank account?",
    "Is there an eSIM option for the Apple Watch?",
    "How long does it take to get DSL installed in a new flat in Hamburg?",
    "Does your Allnet flat include calls to the UK?",
    "Can I port my number from another German provider? How long does it take?",
    "Is roaming in Switzerland included in my plan?",
    "When will fibre be available in Schwabing? Asking for our whole building.",
    "Do I need my passport to register a prepaid SIM?",
    "Hi Nordtel, what's the notice period for the 24-month contract?",
]

PRAISE_DE = [
    "Muss auch mal gesagt werden: der Techniker heute war super freundlich und schnell. Danke!",
    "Seit dem Wechsel zu euch endlich stabiles Internet. 👍",
    "Danke an den Shop in der Mönckebergstraße, top Beratung!",
    "Rufnummernmitnahme hat reibungslos geklappt, vielen Dank!",
    "LTE im ICE zwischen Hamburg und Berlin war heute erstaunlich stabil 😮",
    "Super schnelle Antwort per DM, Problem gelöst. Danke euch!",
    "Endlich 100 Mbit, der Umstieg hat sich gelohnt.",
    "Bester Kundenservice, den ich bisher hatte. Ehrlich.",
    "Glasfaser läuft seit einer Woche, Downloads sind ein Traum 🚀",
    "Die Hotline-Mitarbeiterin gestern Abend war sehr geduldig mit meinem Vater. Danke!",
    "Netz im Allgäu überraschend gut, hätte ich nicht gedacht.",
    "Danke für die schnelle Gutschrift!",
    "eSIM-Aktivierung hat 5 Minuten gedauert. So muss das.",
    "Kleines Lob: die MeinNordtel App ist echt übersichtlich geworden.",
    "Umzug mit DSL hat ohne einen Tag Unterbrechung funktioniert, Respekt.",
    "Hab mich lange über euch geärgert, aber der neue Tarif passt. Danke für die Kulanz.",
    "Top Netz beim Hafengeburtstag, trotz der Menschenmassen 👌",
    "Ihr habt mir gestern den Tag gerettet, Router-Tausch am selben Tag!",
    "Einfach mal danke für den schnellen Support im Chat.",
    "Netflix in HD ohne Ruckeln, endlich. Danke für das Upgrade.",
]

PRAISE_EN = [
    "Shoutout to the Nordtel shop team in Schwabing, very patient with my broken German 😄",
    "Fibre installation went smoothly, thanks!",
    "Great coverage on the train to Hamburg today, impressed.",
    "Number porting done in 2 days. Nice job!",
    "Your English chat support was really helpful, thank you!",
]

MARKETING_GENERAL = [
    "Und was kriegen Bestandskunden? Immer nur Angebote für Neukunden...",
    "Gibt es das Angebot auch im Shop oder nur online?",
    "Ist der Preis dauerhaft oder nur für die ersten 6 Monate?",
    "Warum sind die Angebote in Hamburg immer besser als in Sachsen?",
    "Werbung, Werbung, Werbung... aber nette Aktion.",
    "Cooles Angebot, aber 24 Monate Laufzeit ist mir zu lang.",
]

MARKETING_GLASFASER = [
    "Gilt das Glasfaser-Angebot auch in Bremen?",
    "Glasfaser wäre schön, wenn es hier überhaupt verfügbar wäre 😅",
    "@Markus Bender schau mal, das wär was für euch im Neubau",
    "Lohnt sich der Wechsel von VDSL 50 auf Glasfaser 200 wirklich?",
    "19,99 € und danach? Steht da nirgends.",
    "Verfügbarkeitscheck sagt 'bald verfügbar'. Was heißt bald?",
]

MARKETING_GEWINNSPIEL = [
    "Bei dem Gewinnspiel mach ich mit! 🍀",
    "Ich will das Handy gewinnen 😍",
    "Teilnahme! #gewinnspiel",
    "Schon wieder ein Gewinnspiel, gewinnt da überhaupt jemand? 😂",
    "Retweetet und gefolgt, jetzt bitte das Handy 🙏",
    "Ich nehme teil! Mein Akku ist eh kaputt 🔋",
    "Die Farbe in Rot bitte 😁",
    "Wann ist die Verlosung?",
]

JOKES_DE = [
    "Mein Internet ist so schnell, dass ich die Ladebalken nicht mehr sehe. Vermisse sie fast 😂",
    "Was macht ein Router im Urlaub? Er sucht Anschluss. 🥁",
    "Hab meiner Oma erklärt, was eine eSIM ist. Sie glaubt jetzt, ihr Handy hat Geister 👻",
    "Das WLAN-Passwort bei meiner Schwiegermutter ist 'passwort'. Ich liebe Familientreffen.",
    "Funkloch im Keller entdeckt. Da hab ich ab jetzt meine Ruhe 😌",
    "Mein Kater hat gerade den Router ausgeschaltet. Ich fordere Schadensersatz in Leckerlis 🐈",
    "Meine Kinder wissen jetzt, wie man den Router neu startet. Ich bin machtlos.",
    "Ich rede mit meinem Router inzwischen freundlicher als mit meinem Chef.",
]

HARD_NEGATIVES_DE = [
    "Deutsche Bahn: 40 Minuten Verspätung. Nordtel: volles Netz im Zug. Wenigstens einer "
    "liefert 😅",
    "Mein Display ist kaputt und die Reparatur soll 300 € kosten. Gibt's bei euch eine "
    "Handyversicherung?",
    "Spotify hängt gerade, hat aber nix mit euch zu tun, geht bei allen nicht.",
    "Netflix lädt nicht, aber das liegt an Netflix, steht überall. Nur zur Info 😉",
    "Im Elbtunnel kein Netz, aber das ist ja bei allen so, oder?",
]

WHATSAPP = [
    "WhatsApp geht nicht, ist euer Netz kaputt?",
    "Habt ihr ne Störung? WhatsApp schickt keine Nachrichten mehr raus",
    "Bei mir kommen keine WhatsApp Nachrichten an, liegt das an euch??",
    "Ist euer Netz down? WhatsApp lädt seit 20 Minuten",
    "WhatsApp geht nicht mehr. Neustart hat nichts gebracht. Was ist los bei euch?",
    "Nur noch ein Haken bei WhatsApp 😩 Netzproblem bei Nordtel?",
    "WhatsApp verbindet nicht, Internet im Browser geht aber. Komisch, oder?",
    "WhatsApp tot, bei meiner Freundin auch, die ist auch bei Nordtel. Störung?",
    "Geht WhatsApp bei euch? Ich bekomme gar nichts mehr 😡",
    "Ist das Netz kaputt oder WhatsApp? Seit 20 Uhr keine Nachrichten",
]

WHATSAPP_EN = [
    "WhatsApp is down for me, is it your network?",
]

PORTAL_DE = [
    "Kundencenter geht nicht. Login lädt ewig.",
    "MeinNordtel App: 'Service nicht verfügbar'. Seit einer Stunde. Was ist da los?",
    "Kann mich nicht mehr einloggen, weder App noch Website. Passwort stimmt 100%.",
    "Was ist mit dem Kundencenter los? Wollte nur meine Rechnung runterladen.",
    "Login im Kundencenter geht nicht. Passwort zurücksetzen geht auch nicht.",
    "Ich wollte nur mein Datenvolumen nachbuchen. Geht nicht über die App. Was jetzt?",
    "Datenvolumen aufgebraucht, nachbuchen geht nicht, Hotline besetzt. Ich sitze im Zug "
    "ohne Internet. Danke.",
    "Die App sagt 'Wartungsarbeiten'. An einem Freitagnachmittag? Really?",
    "Kann keine SIM-Karte aktivieren, weil das Portal nicht geht. Neues Handy liegt hier rum.",
    "Ich muss heute meine Bankverbindung ändern, Kundencenter down. Und jetzt?",
    "Was soll denn 'vorübergehend nicht verfügbar' heißen? Seit wann? Bis wann?",
    "Kundencenter offline. Chat offline. Hotline besetzt. Seid ihr überhaupt noch da?",
    "Ich bekomme beim Login nur 'Technischer Fehler (Code 5001)'.",
    "Die MeinNordtel App stürzt beim Start sofort ab. Hab sie schon neu installiert.",
    "Mein Passwort wird nicht akzeptiert. Account gesperrt oder ist einfach alles kaputt?",
    "Im Shop sagen sie auch, ihr System geht nicht. Konnte meinen Vertrag nicht verlängern.",
    "War gerade im Nordtel Shop, die können auch nichts machen, alles offline. Was ist los?",
    "Der Nordtel Shop am Hauptbahnhof hat ein Schild an der Tür: 'Systemausfall'. Aha.",
    "Kundencenter nicht erreichbar. Ich wollte nur meine Rufnummernmitnahme bestätigen 😤",
    "Seit heute Nachmittag geht der Login nicht. Ist das bekannt?",
    "Ist das Portal kaputt oder mein Handy?",
    "Rechnung kann ich nicht abrufen, der Steuerberater wartet. Bitte schnell beheben.",
    "Warum geht die App nicht? Ich brauche meinen Verbrauch.",
    "MeinNordtel zeigt nur noch eine weiße Seite.",
    "Die Mail zum Passwort-Reset kommt nicht an. Hängt das mit der Störung zusammen?",
    "Geht das Kundencenter bei irgendwem?",
    "Seit 15 Uhr kein Login. Wie lange soll das noch dauern?",
    "Ich wollte meine Prepaid-Karte aufladen, geht online nicht. Bin im Ausland!",
    "Kundenportal weg, Hotline weg, Chat weg. Ist Nordtel weg? 😅",
    "Wann geht die App wieder? Ich muss meine Roaming-Option buchen, fliege morgen früh.",
    "Login geht nicht – ist das bei allen so?",
    "Die App meldet 'Keine Verbindung zum Server'. WLAN und LTE probiert. Liegt an euch.",
    "Konnte meine Adresse nicht ändern, Portal tot. Die Rechnung geht jetzt an die alte "
    "Wohnung, oder?",
    "Aufladen per App geht nicht, per Karte im Supermarkt auch nicht. Was ist da los?",
    "Hab 2x das Passwort zurückgesetzt, trotzdem kein Login. Ich geb auf.",
    "MeinNordtel: Ladekreis dreht sich seit 10 Minuten. Nichts passiert.",
    "Ich komme weder ins Kundencenter noch in die App. Wie soll ich meine Option kündigen?",
    "Vertragsverlängerung im Shop abgebrochen, weil 'das System down ist'. Seit wann?",
    "Beim Login kommt 'Ihre Sitzung ist abgelaufen'. Bei jedem Versuch.",
    "App und Website zeigen beide Fehler. Ist das geplant oder kaputt?",
]

PORTAL_NEWS_DE = [
    "App zeigt nur noch Fehler 503. Ist das der Hackerangriff aus den Nachrichten?",
    "Stimmt es, dass ihr gehackt wurdet? Hab gerade was von einem Cyberangriff gelesen.",
    "Erst WannaCry in den Nachrichten und jetzt ist euer Kundencenter offline. Zufall? Sagt "
    "mal was!",
    "Wenn ihr gehackt wurdet, sind meine Daten sicher? Ich will eine Antwort!",
    "Wurden Kundendaten geklaut? Bitte um klare Info!",
    "Ist das Kundencenter wegen dem Cyberangriff offline? Wäre nett, wenn ihr das mal "
    "bestätigen würdet.",
    "In den Nachrichten heißt es, auch Telekommunikationsfirmen sind von dem Angriff "
    "betroffen. Seid ihr das?",
    "Bitte sagt mir, ob meine Bankdaten betroffen sind. Ich habe Angst, dass da jemand abbucht.",
    "Laut Nachrichten sind weltweit Rechner von dem Erpressungstrojaner betroffen. Ihr auch?",
    "Seid ihr von WannaCry betroffen? Ja oder nein?",
    "Bei der Bahn zeigen die Anzeigetafeln Lösegeldforderungen und euer Portal ist down. "
    "Hängt das zusammen?",
    "Hackerangriff? Dann sagt das doch einfach. Wir sind erwachsen.",
]

PORTAL_SILENCE_DE = [
    "Warum sagt ihr nichts? Überall in den News steht was von Hackerangriff und hier auf der "
    "Seite: Funkstille.",
    "Euer Kundencenter ist seit Stunden down und ihr postet nichts. Kommunikation 6, setzen.",
    "Einfach mal eine kurze Info posten, dass ihr ein Problem habt, wäre zu viel verlangt?",
    "Keine Info, keine Erreichbarkeit, nichts. So verspielt man Vertrauen.",
    "Auf Twitter lese ich, dass ihr vom Hackerangriff betroffen seid. Und ihr schweigt.",
    "Offizielle Info bitte! Ich lese in Foren, dass eure Server verschlüsselt wurden.",
    "Hallo? Ist da jemand im Social-Media-Team? Eine Statusmeldung bitte.",
    "Andere Firmen informieren wenigstens. Ihr postet lieber Gewinnspiele.",
]

PORTAL_SILENCE_EN = [
    "Your silence is deafening. What is going on with the portal?",
    "Hey @nordtel, any update on the portal outage? Radio silence isn't great.",
]

PORTAL_AFTER_UPDATE_DE = [
    "Danke für die Info, aber 'nach aktuellem Stand' beruhigt mich nicht wirklich.",
    "Endlich sagt ihr was. Warum erst jetzt?",
    "Morgen 12 Uhr? Und bis dahin kann ich meine Prepaid-Karte nicht aufladen?",
    "Gut zu wissen, dass die Daten sicher sind. Hoffentlich stimmt das auch.",
    "Vorsorglich abgeschaltet – und die Hotline? Auch vorsorglich besetzt?",
    "Ok, danke für das Update. Bitte meldet euch, wenn's wieder läuft.",
    "Was heißt 'Kundendaten nicht betroffen'? Wurden nun Systeme gehackt oder nicht?",
    "Das Update kam drei Stunden zu spät. Aber immerhin.",
    "Kann ich bis morgen wenigstens per Hotline Datenvolumen nachbuchen?",
    "Danke für die ehrliche Info. Dann warte ich halt bis morgen.",
]

PORTAL_AFTER_UPDATE_EN = [
    "Thanks for the update. Please post it in English too next time.",
    "So the portal is off until tomorrow noon? What about prepaid top-ups?",
]

PORTAL_EN = [
    "Can't log into the MeinNordtel app, just says 'service unavailable'. What's going on?",
    "Is your customer portal down because of the ransomware attack in the news?",
    "Your hotline has been busy for an hour and the app is dead. How do I reach you?",
    "Were you hacked? Please tell us if our data is safe.",
    "Customer portal not loading at all. Tried two browsers.",
    "I need to top up my prepaid and the website won't let me log in. Help!",
    "Login to Kundencenter fails with 'technical error'. Is this the WannaCry thing?",
    "Can't access my bills online and I need them for my tax return. When will it be back?",
    "Your shop in Munich says their systems are down too. What happened?",
    "App crashes on start, reinstalled twice. Is it on your end?",
]

HOTLINE_DE = [
    "Hotline dauerbesetzt. Seit einer Stunde.",
    "Hotline: 'Aufgrund hohen Anrufaufkommens...' und dann Tuten. Seit 16 Uhr.",
    "Seit 40 Minuten in der Warteschleife. Dann einfach aufgelegt. Toll.",
    "Habe 3x angerufen. Immer dasselbe: besetzt.",
    "Bandansage 'Systemstörung', dann wird man rausgeworfen. Jedes Mal.",
    "Wie erreicht man euch eigentlich? Hotline besetzt, Chat offline, Mail kommt zurück.",
    "Ich hänge seit 25 Minuten in der Warteschleife. Die Musik kann ich inzwischen mitsingen.",
    "Kundenhotline nicht erreichbar. Ist das Absicht?",
    "Rückrufservice angefordert. Rückruf kam nie.",
    "Hotline dauerbesetzt, und zwar wirklich dauer-. Seit Stunden.",
]

DSL_DE = [
    "Kein Internet seit heute früh. DSL-Lampe blinkt nur.",
    "Router synchronisiert nicht. Neustart schon fünfmal gemacht.",
    "Seit 7 Uhr tot. Nichts geht. Ist das eine Störung?",
    "DSL-Lampe blinkt, Internet-Lampe aus. Was ist los bei euch?",
    "Homeoffice heute? Vergiss es. Kein Internet seit dem Aufstehen.",
    "Internet weg. Festnetz weg. Großartiger Samstag.",
    "Gibt es eine Störung? Mein Router findet keine DSL-Verbindung.",
    "Seit heute früh tot. Die Kinder quengeln, ich auch.",
    "Kein Internet und die Hotline ist besetzt. Ist das ein Witz?",
    "Die Nordtel Box blinkt orange. Laut Handbuch keine DSL-Synchronisation. Ich hab nichts "
    "geändert!",
    "Internet komplett weg. Das Modem zeigt 'Training'. Bitte um Info.",
    "Router auf Werkseinstellungen gesetzt, hilft nix. Hätte ich das mal nicht gemacht 🙈",
    "Seit 6:45 kein DSL. Wie lange noch?",
    "Kein Internet. Ist das auch der Hackerangriff?",
    "Nach dem Kundencenter jetzt auch noch das Internet? Was ist bei euch los?",
    "Muss heute eine Hausarbeit abgeben, Internet tot. Danke, Nordtel.",
    "Internet geht, dann wieder nicht, dann wieder... seit Stunden Abbrüche.",
    "Ist bei euch in der Gegend auch das Internet weg? Bei mir seit 8 Uhr.",
    "Router meldet 'PPPoE-Fehler', ich bekomme keine Verbindung mehr.",
    "Kein Internet, kein Fernsehen (läuft ja über Nordtel TV). Samstag gelaufen.",
    "Um 15:30 ist Bundesliga und Nordtel TV geht nicht, weil kein Internet. Wenn das bis dahin "
    "nicht läuft...",
    "Wie soll ich heute Abend ESC schauen ohne Internet? 😭",
    "Router-Lampe blinkt rot. Das ist doch nicht normal?",
    "Internet seit heute Morgen weg, mein mobiles Datenvolumen ist fast alle, weil ich jetzt "
    "über Hotspot arbeite.",
    "Hotspot übers Handy läuft, DSL tot. Wer zahlt mir das Datenvolumen?",
    "Wann geht das Internet wieder? Ich brauche eine Uhrzeit, nicht 'wir arbeiten daran'.",
    "DSL tot. Hab schon alle Kabel neu gesteckt.",
    "Mein Router zeigt 'DSL nicht verbunden'. Bei den Nachbarn auch.",
    "Das ganze Haus hat kein Internet. Alle bei Nordtel. Alle sauer.",
    "Auch hier kein DSL. Bitte um Rückmeldung, ob eine Störung bekannt ist.",
    "45 Minuten in der Warteschleife, um zu hören, dass eine Störung vorliegt. Steht das nirgends?",
    "Was ist eigentlich mit eurem Netz los? Erst das Kundencenter, jetzt DSL.",
    "Internet komplett down seit ca. 7:30. Ich zahle für 100 Mbit und bekomme 0.",
    "Kein Internet. Ich wollte heute meine Steuererklärung machen. Naja, dann eben nicht 🙃",
    "Seit 3 Stunden offline. Bitte ein Status-Update!",
    "Die Synchronisation bricht nach ein paar Sekunden immer wieder ab.",
    "Nichts geht mehr. Router neu gestartet, Kabel geprüft, Splitter geprüft. Liegt an euch.",
    "Wir haben seit heute Morgen kein Internet mehr. Ist das eine größere Störung?",
    "Habe heute Bereitschaft und kann nicht arbeiten. Mein Chef ist begeistert.",
    "Online-Prüfung um 14 Uhr und kein Internet. Ich dreh durch.",
    "Haben Sie eine Störung in meinem Bereich? Das Internet funktioniert nicht.",
    "Sehr geehrte Damen und Herren, seit heute 7:10 Uhr besteht keine Internetverbindung. Ich "
    "bitte um zeitnahe Behebung.",
    "Internet kaputt. Wieder mal. Zweites Mal dieses Jahr.",
    "Ist es normal, dass die Info-LED an der Nordtel Box rot leuchtet? Kein Internet.",
    "Was ist denn jetzt schon wieder los? Internet aus.",
    "Meine Frau sagt, ich soll nicht so viel am Router rumdrücken. Sie hat recht, es ist eure "
    "Störung.",
    "Wir wollten heute die Hochzeitsfotos hochladen. Internet weg 😢",
    "Eure Störungsseite lädt nicht mal. Wie passend.",
    "Kein Internet. Kein WLAN. Keine Ahnung, was los ist. Bitte melden!",
    "Ich hab Netz aufm Handy, aber kein DSL zu Hause. Wer kann helfen?",
    "DSL-Verbindung ständig unterbrochen, mittlerweile gar nichts mehr.",
    "Router blinkt seit Stunden. Schickt ihr einen Techniker oder was?",
    "Soll ich einen Techniker-Termin machen oder ist das eine allgemeine Störung?",
    "Internet tot, Smart Home tot, die Heizung lässt sich nicht steuern. 2017 halt.",
    "Hab mir extra den Samstag freigenommen, um die Masterarbeit fertig zu machen. Kein Internet.",
    "Turnier heute verpasst, weil kein Internet. Danke auch.",
    "Die Unterlagen für Montag kann ich nicht runterladen. Kein DSL seit heute früh.",
    "Wollte noch schnell ein Muttertagsgeschenk online bestellen. Kein Internet...",
]

DSL_ORT_DE = [
    "Kein Internet in {ort} seit heute früh. DSL-Lampe blinkt.",
    "Hier in {ort} geht gar nichts mehr. Router synchronisiert nicht.",
    "Ganze Straße in {ort} ohne Internet. Wann geht's weiter?",
    "Störung in {ort}? Seit 8 Uhr kein DSL.",
    "{ort}: Internet tot, Festnetz tot.",
    "Bei uns in {ort} auch alles dunkel. DSL-Lampe blinkt nur noch.",
    "Ist die Störung in {ort} bekannt? Ich finde nirgends Infos.",
    "Kein DSL in {ort}. Die Nachbarn haben das gleiche Problem.",
    "Kann bestätigen: {ort} ist auch betroffen. Router findet keine Verbindung.",
    "Auch {ort} seit 7:40 offline. Wann ist das behoben?",
    "In {ort} funktioniert seit Stunden kein Internet. Wir zahlen jeden Monat dafür!",
    "Mal ehrlich, wie lange noch? {ort}, kein Internet seit dem Frühstück.",
    "Hier {ort}, gleiches Problem: DSL weg.",
    "Kompletter Ausfall in {ort} oder nur bei mir?",
    "Wir in {ort} warten immer noch. Der Router blinkt fröhlich vor sich hin.",
    "{ort} meldet: Internet weg 😡",
    "Störung in {ort} seit heute Morgen. Nicht mal eine SMS von euch.",
    "Bin aus {ort} zu meinen Eltern gefahren, weil ich zu Hause nicht arbeiten kann.",
    "Bei meiner Schwester in {ort} geht auch nichts. Großflächige Störung?",
    "In {ort} sitzt sogar das Café ums Eck ohne WLAN da 😂",
    "Kein Internet in {ort}. Und dann noch Samstag, wo alle zu Hause sind.",
    "DSL in {ort} weg, Handy-Netz überlastet. Toll.",
]

DSL_EN = [
    "No internet since this morning in {ort}. Router light keeps blinking.",
    "Is there an outage in {ort}? DSL has been down since 8am.",
    "No internet, no landline, no info. What's going on?",
    "Working from home today... or not. DSL is dead.",
    "Router won't sync. I've restarted it 10 times. Is this a known issue?",
    "My whole building in {ort} is offline. Any ETA?",
    "Internet down since 7:30. Any updates?",
    "Still no internet here in {ort}. This is ridiculous.",
    "The DSL light is flashing and nothing works. Please advise.",
    "Can't even check your status page, because, well, no internet.",
    "Been on hold for 50 minutes to report the outage. Seriously?",
    "Is the DSL outage related to yesterday's cyberattack?",
    "Day ruined. No internet, no TV, hotline busy.",
    "No internet in {ort} since the morning and your hotline is unreachable.",
    "Outage in {ort}? My neighbours have the same problem.",
    "Had to tether from my phone all morning. Who's paying for my mobile data?",
    "The DSL light on my router has been blinking for hours. What's the ETA?",
    "Expat here, my German isn't good enough for your hotline menu. Is there an outage in {ort}?",
    "No internet. Again. Second time this year.",
    "Come on Nordtel, a simple status update would go a long way.",
]

VOIP_DE = [
    "Festnetz geht auch nicht, läuft ja über den Router.",
    "Telefon tot, Internet tot. Wie soll ich euch denn anrufen, um die Störung zu melden? 🙃",
    "Kein Freizeichen am Festnetz seit heute Morgen. Hängt wohl mit der DSL-Störung zusammen.",
    "Unser Festnetztelefon ist seit 8 Uhr stumm. Meine Mutter ruft nur aufs Festnetz an...",
    "Telefonie geht nicht, weil alles über IP läuft. Früher war das besser.",
    "Anrufer hören nur 'Kein Anschluss unter dieser Nummer'. Bitte dringend beheben.",
    "Kein Festnetz, kein Internet. Komplett abgeschnitten, nur noch Handy mit wenig Akku.",
    "Wir sind übers Festnetz nicht erreichbar. Bitte Rufumleitung aufs Handy einrichten!",
    "VoIP tot. Fax natürlich auch. Ja, wir haben noch ein Fax.",
]

VOIP_EN = [
    "Landline is dead too, since everything runs over the router. Great.",
]

CHURN_DE = [
    "Das war's. Ich kündige. Sonderkündigungsrecht, ich komme.",
    "Ich kündige zum nächstmöglichen Zeitpunkt. Mir reicht's.",
    "Habe ich bei so einem Ausfall ein Sonderkündigungsrecht? Frage für mich.",
    "Kündigung ist raus. Per Einschreiben, weil euer Kundencenter ja nicht geht.",
    "Vertrag läuft im Juli aus. Verlängern? Sicher nicht nach diesem Wochenende.",
    "10 Jahre Kunde und so behandelt ihr einen. Ich wechsle.",
    "Sobald das Kundencenter wieder geht, klick ich auf Kündigen.",
    "Ich prüfe jetzt, ob ich fristlos kündigen kann.",
    "Ich will sofort raus aus dem Vertrag. Wer ist dafür zuständig?",
    "Wechselt alle zu einem anderen Anbieter, so geht man nicht mit Kunden um!",
    "Das Kündigungsformular liegt schon ausgedruckt hier.",
]

CHURN_DSL_DE = [
    "Wenn das Internet heute Abend nicht läuft, bin ich weg. Angebote anderer Anbieter liegen "
    "schon hier.",
    "Nach diesem Wochenende wechsle ich. Endgültig.",
]

CHURN_EN = [
    "I'm switching to another provider. Done with this.",
    "Looking into cancelling my contract. This is unacceptable.",
    "Is this a reason to cancel my contract early? Asking seriously.",
]

LEGAL_PORTAL = [
    "Wenn meine Daten bei dem Angriff abgeflossen sind, gibt's eine Anzeige. Datenschutz ist "
    "kein Spaß.",
    "Eine Meldung an den Datenschutzbeauftragten ist vorbereitet, falls ihr nicht bald informiert.",
    "Ich habe meinen Anwalt gebeten zu prüfen, ob ihr die Datenpanne melden müsst.",
    "Ich wende mich an die Verbraucherzentrale, wenn ich bis morgen keine Antwort habe, ob meine "
    "Daten sicher sind.",
]

LEGAL_DSL = [
    "Ich lasse das jetzt von meinem Anwalt prüfen.",
    "Ich verlange Schadensersatz für den Verdienstausfall.",
    "Beschwerde bei der Bundesnetzagentur ist raus.",
    "Habe mich an die Verbraucherzentrale gewandt. Mal sehen, was die sagen.",
    "Ihr habt eine Pflicht zur Entstörung. Ich setze euch hiermit eine Frist bis heute 18 Uhr.",
    "Ich fordere eine Gutschrift für jeden Tag ohne Internet. Sonst Verbraucherzentrale.",
    "Mein Anwalt freut sich schon. Zweiter Ausfall in einem Monat.",
    "Ich mindere die Grundgebühr für Mai. Mit Anwalt, wenn nötig.",
    "Wer haftet eigentlich, wenn durch euren Ausfall ein Auftrag platzt? Das klärt jetzt mein "
    "Anwalt.",
]

LEGAL_EN = [
    "I'll be filing a complaint with the Bundesnetzagentur.",
    "If my data was leaked, you'll hear from my lawyer.",
]

BUSINESS_DSL = [
    "Wir sind eine Arztpraxis in {ort}, seit heute früh keine Telefone und kein Internet. "
    "Patienten können uns nicht erreichen!",
    "Steuerkanzlei hier. Heute ist Abgabetag für einen Mandanten, kein Internet. Wir verlieren "
    "Geld.",
    "Handwerksbetrieb, 12 Mitarbeiter, seit Stunden keine Telefone. Aufträge kommen nicht rein.",
    "Wir haben einen Geschäftskundenvertrag mit garantierter Entstörzeit. Wo ist der Techniker?",
    "Unser Restaurant kann keine Kartenzahlung annehmen, das Terminal hängt am DSL. Und heute "
    "Abend sind wir ausgebucht!",
    "Als Geschäftskunde erwarte ich einen Rückruf innerhalb einer Stunde. Es sind drei "
    "geworden. Ohne Rückruf.",
    "Bäckerei in {ort}: EC-Gerät geht nicht, die Kunden gehen. Bitte!",
    "Pflegedienst hier: unsere Einsatzplanung läuft online. Seit 8 Uhr nichts. Das ist kritisch.",
    "Hotel in {ort}, Gäste ohne WLAN, Buchungssystem offline. Wer ist zuständig?",
    "Wir sind ein Onlineshop. Jede Stunde ohne Internet kostet uns richtig Geld.",
    "Physiotherapie-Praxis, Terminbuchung tot, Telefone tot. Heute ist Samstagssprechstunde.",
]

BUSINESS_EN = [
    "Our small agency in {ort} can't work. We're losing money every hour.",
]

BUSINESS_PORTAL = [
    "Als Geschäftskunde komme ich nicht an meine Rechnungen, die Buchhaltung steht.",
    "Wir sind ein Handwerksbetrieb und schalten SIM-Karten für neue Mitarbeiter übers Portal "
    "frei. Montag fangen zwei an. Wann geht das wieder?",
    "Kleine Agentur hier: wir müssen heute noch drei Firmen-SIMs freischalten. Portal tot, "
    "Hotline besetzt. Wir verlieren Zeit und Geld.",
]

VULNERABLE_DE = [
    "Der Hausnotruf meiner Mutter läuft über den Festnetzanschluss. Der geht nicht! Bitte "
    "dringend melden!",
    "Notruf geht nicht vom Festnetz. Was, wenn was passiert?",
    "Mein Vater ist 87 und allein, sein Hausnotruf hat keine Verbindung. Ich mache mir große "
    "Sorgen.",
    "Meine Eltern (beide über 80) haben kein Internet und kein Telefon. Ich kann sie nicht "
    "erreichen.",
    "Ich bin gehbehindert und aufs Telefon angewiesen. Das Handy hat hier kaum Empfang. Bitte "
    "helft!",
    "Oma hat Hausnotruf über euren Anschluss. Seit Stunden tot. Das ist lebensgefährlich!",
    "Meine Frau ist hochschwanger, Festnetz tot, Handy kaum Netz. Was, wenn wir den Notruf "
    "brauchen?",
]

VULNERABLE_EN = [
    "My elderly neighbour's emergency alarm runs over the landline and it's down. Please "
    "prioritise!",
]

SARCASM_DE = [
    "Danke für nix.",
    "Super Service... 👏",
    "Toll gemacht, Nordtel. Wirklich toll. 👏👏👏",
    "Wow, 3 Stunden Warteschleife. Ich kenne jetzt jede Note der Wartemusik.",
    "Eure Hotline-Musik ist echt schön. Hab sie 40 Minuten am Stück genossen.",
    "Kundenkommunikation: 0 Punkte. Störungsbehebung: 0 Punkte. Konsequenz: 100%.",
    "Immerhin funktioniert die Werbung noch 🙄",
    "Digitalisierung made in Germany 👍",
    "Nordtel – verbindet. Oder so ähnlich.",
    "Ich liebe es, für Dienste zu zahlen, die nicht funktionieren. Wirklich.",
    "Läuft bei euch. Also, nicht wirklich.",
]

SARCASM_DSL_DE = [
    "Hätte nie gedacht, dass ich mal Brieftauben vermisse 🕊",
    "Glasfaser-Werbung am Mittwoch, heute nicht mal DSL. Ihr seid lustig.",
    "Endlich Zeit für Bücher. Danke, Nordtel 📚",
    "Sehr kreativ, das Internet einfach mal am Wochenende abzuschalten. Digital Detox inklusive?",
    "Danke für das entschleunigte Wochenende 🧘",
    "Bravo. Stabile Leistung. Stabil offline.",
]

SARCASM_EN = [
    "Great job, Nordtel. Really great. 🙃",
    "Love paying for internet I don't have. 👏",
]

SHORT_DE = [
    "???",
    "Und jetzt?",
    "Hallo?!",
    "Wie lange noch?",
    "Immer noch?",
    "Info???",
    "Nichts geht.",
    "Ernsthaft?",
    "Und?",
    "Status?",
]

SHORT_EN = [
    "ETA?",
    "Any news?",
]

SHORT_NOLANG = [
    "😡😡😡",
    "🤬",
    "!!!!",
]

CAPS_PORTAL = [
    "KUNDENCENTER KAPUTT, HOTLINE BESETZT, ICH BIN RASEND",
    "ICH WILL EINFACH NUR EINE INFO!!!",
    "WARUM GEHT DIE APP NICHT???",
    "SAGT ENDLICH WAS!!!",
]

CAPS_DSL = [
    "INTERNET GEHT NICHT!!!",
    "WANN GEHT DAS INTERNET WIEDER??????",
    "KEIN INTERNET SEIT 8 UHR UND KEINER SAGT WAS",
    "MEIN ROUTER BLINKT UND BLINKT UND BLINKT",
    "ICH HABE HOMEOFFICE!!! KEIN INTERNET!!!",
]

TYPO_PORTAL = [
    "kundencenter geht nich und hotline auch nich. super",
    "Ich kan mich nicht einlogen in der App bitte um hilfe",
    "app get nicht was ist da los?!",
    "warum get der login nich mehr",
]

TYPO_DSL = [
    "kein internt seit heute morgn, was is los??",
    "routa blinkt imer noch wann get das wieder",
    "hab seid 8 uhr kein inet mehr. danke",
    "inet weg bei uns, festnetzt auch",
    "wan geht das wieder?? brauch das für die arbeit",
]

RANT_PORTAL = [
    "Ganz ehrlich: Überall in den Nachrichten geht es um diesen Erpressungstrojaner, "
    "Krankenhäuser in England sind betroffen, bei der Bahn zeigen die Anzeigetafeln "
    "Lösegeldforderungen – und genau heute ist euer Kundencenter offline, die App geht nicht "
    "und die Hotline ist dauerbesetzt. Und ihr sagt: nichts. Ich habe meine Bankverbindung bei "
    "euch hinterlegt, meine Adresse, mein Geburtsdatum. Ich will wissen, ob meine Daten sicher "
    "sind. Nicht morgen, jetzt. Wer so schweigt, muss sich nicht wundern, wenn die Leute das "
    "Schlimmste annehmen.",
]

RANT_DSL_DE = [
    "Ich bin seit 12 Jahren Kunde bei euch und so etwas habe ich noch nicht erlebt. Gestern "
    "Nachmittag war das Kundencenter plötzlich weg, die App zeigt nur Fehlermeldungen, und als "
    "ich die Hotline anrufen wollte, hing ich 50 Minuten in der Warteschleife, bis die "
    "Verbindung einfach abbrach. Heute Morgen dann der nächste Hammer: kein Internet. Ich "
    "arbeite auch samstags von zu Hause, meine Frau auch, die Kinder wollen für ein Referat "
    "recherchieren. Und was macht Nordtel? Nichts. Kein Post, keine SMS, keine Mail. Auf eurer "
    "Seite wird fröhlich Glasfaser beworben, während bei uns die DSL-Lampe blinkt. Ich erwarte "
    "eine Entschuldigung, eine Gutschrift und vor allem endlich ehrliche Informationen!",
    "Wir sind eine Tierarztpraxis in Hamburg-Harburg mit Notdienst am Wochenende. Seit heute "
    "früh klingelt kein Telefon mehr, weil unser Anschluss über euren Router läuft. Tierhalter "
    "rufen vergeblich an, wir haben einen Zettel an die Tür gehängt und eine Handynummer auf "
    "Facebook gepostet. Einen Geschäftskundenvertrag haben wir, die Entstörhotline ist aber seit "
    "zwei Stunden besetzt. Das ist nicht nur ärgerlich, das kann für Tiere im Notfall gefährlich "
    "werden. Bitte meldet euch per DM, wir brauchen sofort eine Rufumleitung!",
]

RANT_DSL_EN = [
    "I moved to Munich four months ago and chose Nordtel because a colleague recommended you. "
    "Since yesterday I can't log into my account, and since this morning I have no internet at "
    "all. I work remotely for a company in London and had an important call at 10. I called "
    "your hotline, navigated a German voice menu with a translation app, waited 35 minutes and "
    "got disconnected. There is no English information anywhere. I understand outages happen, "
    "but the silence is what makes me angry. Please at least post something in English.",
]

RANT_SUNDAY_DE = [
    "Zweiter Tag ohne Internet. Ich habe gestern dreimal bei der Hotline angerufen: einmal "
    "wurde ich nach 40 Minuten rausgeworfen, einmal hieß es 'ist bekannt, wird heute behoben', "
    "einmal hat niemand abgenommen. Eure Ansage 'bis 18 Uhr' ist jetzt 15 Stunden her. Heute "
    "ist Muttertag, meine Mutter wohnt 600 km weit weg und wollte per Videotelefonie ihre Enkel "
    "sehen. Das könnt ihr nicht wiedergutmachen. Ich erwarte, dass ihr den ganzen Monat "
    "gutschreibt, und ich überlege ernsthaft, ob ich nach 8 Jahren noch bleibe.",
]

DSL_AFTER_UPDATE_DE = [
    "Danke für die Info. Gilt das auch für {ort}?",
    "18 Uhr?! Bis dahin ist der halbe Samstag rum.",
    "Endlich eine Info. Warum nicht schon um 8?",
    "Hamburg und München, ok. Und das Umland? In Pinneberg geht auch nichts.",
    "Wenn das bis 18 Uhr nicht läuft, melde ich mich wieder. Versprochen.",
    "Störung bekannt, schön. Aber warum steht das nicht auf eurer Störungsseite?",
    "Und die Festnetztelefonie? Geht die dann auch bis 18 Uhr wieder?",
    "Danke für das Update, bitte haltet uns stündlich auf dem Laufenden.",
    "Bekommen wir eine Gutschrift für den Ausfall?",
    "Was ist denn die Ursache? Wieder ein Angriff?",
]

DSL_AFTER_UPDATE_EN = [
    "Thanks for the update. Is the 6pm estimate realistic?",
]

DSL_ETA_MISSED_DE = [
    "18 Uhr ist vorbei. Internet immer noch tot.",
    "Es ist jetzt {uhrzeit}, ihr hattet 18 Uhr gesagt.",
    "Was ist aus 'bis 18 Uhr' geworden?",
    "Neue Prognose bitte. Die alte ist abgelaufen.",
    "ESC-Finale läuft gleich und ich hab kein Internet. Danke, Nordtel.",
    "Versprochen war 18 Uhr. Jetzt ist es dunkel und ich sitze immer noch ohne Netz da.",
    "Samstagabend ohne Internet. Wie in den 90ern.",
    "Es ist {uhrzeit}. Router blinkt. Keine neue Info. Klasse.",
    "Gute Nacht, Nordtel. Ich hoffe, morgen früh geht's wieder.",
    "Arbeitet ihr nachts dran? Hoffentlich. Bei mir immer noch tot.",
]

DSL_ETA_MISSED_EN = [
    "6pm came and went. Still no internet.",
]

DSL_DAY2_DE = [
    "Tag 2 ohne Internet. Läuft bei euch.",
    "Sonntagmorgen, Kaffee fertig, Internet immer noch weg.",
    "Guten Morgen, Nordtel. Ist das Internet schon wach? Meins nicht.",
    "Aufgewacht, Router blinkt immer noch. Ernsthaft?",
    "Über 24 Stunden ohne DSL. Wie lange soll das noch gehen?",
    "Muttertag ohne Festnetz. Meine Mama wartet auf den Anruf.",
    "Heute ist Sonntag und ich habe seit gestern früh kein Internet. Ich erwarte eine Erklärung.",
    "Seit gestern 7 Uhr tot. Das ist mehr als eine 'Störung'.",
    "Hab die Nacht mit Handy-Hotspot überlebt. Datenvolumen ist jetzt weg.",
    "Sonntag, {uhrzeit}: immer noch kein DSL in {ort}.",
    "Zweiter Tag ohne DSL. Ich kündige, sobald ich jemanden erreiche.",
    "Ich kenne jetzt alle Nachbarn, weil wir im Treppenhaus gemeinsam über euch schimpfen.",
]

DSL_DAY2_EN = [
    "Day 2 without internet in {ort}. Any news?",
    "Sunday morning and still no internet. Unbelievable.",
]

DSL_MONITORING_DE = [
    "Ihr schreibt 'weitgehend behoben'. Bei mir in {ort} nicht.",
    "Router neu gestartet wie empfohlen. Nichts.",
    "Bei den Nachbarn geht's wieder, bei mir nicht. Was nun?",
    "Weitgehend? Ich bin wohl der Rest.",
    "Internet kommt und geht. Alle 5 Minuten ein Abbruch.",
    "Festnetz geht immer noch nicht, obwohl das Internet wieder da ist.",
    "Jetzt läuft's, aber nur mit halber Geschwindigkeit.",
]

DSL_MONITORING_EN = [
    "Still down here after the restart. {ort}.",
]

ADS_DE = [
    "Ich hoffe, ihr postet heute nicht wieder Werbung.",
    "Wehe, hier kommt heute ein Muttertagspost, während das halbe Netz tot ist.",
    "Bitte heute keine fröhlichen Werbeposts. Erst reparieren, dann feiern.",
    "Muttertag, und ich kann meine Mutter nicht mal anrufen, weil das Festnetz tot ist. Danke.",
    "Falls gleich ein Gewinnspiel kommt: Ich gewinne lieber funktionierendes Internet.",
    "Kleiner Tipp an euer Social-Media-Team: Heute keine Werbung. Wirklich nicht.",
    "Wenn ihr heute 'Allnet-Flat zum Muttertag' postet, raste ich aus.",
    "Statt Werbung heute bitte stündliche Updates zur Störung.",
    "Seid ihr so mutig und postet heute Marketing? 🍿",
]

ADS_EN = [
    "Please don't post ads today. Just fix the network.",
]

PORTAL_RELIEF_DE = [
    "Kundencenter geht wieder, danke für die Info.",
    "App funktioniert wieder. War ja auch Zeit.",
    "Login klappt wieder 👍",
    "Endlich wieder im Kundencenter. Datenvolumen nachgebucht, danke.",
    "Die App geht wieder, aber ich soll mein Passwort ändern. Ist das wegen dem Angriff?",
    "Kundencenter läuft. Schön. Jetzt bitte noch das Internet 🙄",
]

PORTAL_RELIEF_EN = [
    "Portal is back, thanks!",
]

PORTAL_STRAGGLER_DE = [
    "Bei mir geht der Login immer noch nicht. Ihr schreibt, es geht wieder?",
    "App sagt weiterhin 'Service nicht verfügbar'. Cache gelöscht, nichts.",
]

DSL_RELIEF_DE = [
    "Internet ist wieder da! Danke an die Techniker, die am Wochenende ranmussten.",
    "Läuft wieder in {ort}. Danke!",
    "Seit 14:30 wieder online. Endlich 🙏",
    "Internet ist zurück. Trotzdem: Bitte nächstes Mal früher informieren.",
    "Alles wieder gut hier. Danke für die Updates zwischendurch.",
    "Router leuchtet grün! Ich hätte nie gedacht, dass mich das so freut 😄",
    "Es läuft wieder. Danke für die Geduld mit uns genervten Kunden.",
    "Juhu, Internet! Gerade noch rechtzeitig für den Tatort.",
    "Internet geht wieder. Danke an das Social-Media-Team für die ehrlichen Updates.",
    "Hatte schon den Router in Verdacht. Danke, läuft!",
    "DSL-Lampe leuchtet wieder durchgehend. Danke!",
    "Festnetz und Internet gehen wieder. Puh.",
]

DSL_RELIEF_EN = [
    "Back online in {ort}. Thanks to the technicians.",
    "Finally back online. Thanks for the updates, Nordtel.",
]

GRUMPY_DE = [
    "Schön, dass es wieder geht. Die Gutschrift erwarte ich trotzdem.",
    "Wieder da, ja. Aber zwei Tage ohne vernünftige Info – das vergesse ich nicht.",
    "Läuft wieder, aber nur mit 16 statt 100 Mbit. Ist das normal nach der Störung?",
    "Internet da, Festnetz immer noch tot. Also nicht 'behoben'.",
    "Behoben? Bei mir in {ort} nicht.",
    "Bei mir immer noch Abbrüche alle 10 Minuten. Nicht behoben.",
    "Ok, es geht wieder. Eine Entschuldigung wäre trotzdem nett gewesen.",
    "Wer erstattet mir das mobile Datenvolumen, das ich am Wochenende verbraucht habe?",
    "Wieder online, gibt es eine Gutschrift für die zwei Tage?",
    "Es geht wieder, ja. Kündigen tu ich trotzdem.",
]

GRUMPY_EN = [
    "Back online, but I lost a whole weekend of work. Expecting a credit.",
]

FOLLOWUP_DE = [
    "Immer noch nichts!",
    "Immer noch nichts. Und immer noch keine Info von euch.",
    "Und? Schon was Neues?",
    "Wieder ich. Immer noch nichts.",
    "Nochmal: Wann kommt eine offizielle Info?",
    "Nachtrag: Hotline nach 2 Stunden erreicht, der Mitarbeiter wusste auch nichts.",
    "Es ist jetzt {uhrzeit}. Immer noch nichts.",
]

FOLLOWUP_PORTAL_DE = [
    "Immer noch kein Login möglich. Seit gestern Nachmittag.",
    "App weiterhin tot. Wie lange noch?",
    "Nachtrag: Im Shop können sie mir auch nicht helfen, 'System down'.",
]

FOLLOWUP_DSL_DE = [
    "Update: Immer noch kein Internet. Stunde {stunden}.",
    "Nachtrag: Router getauscht (hatte noch einen alten), bringt auch nichts. Liegt an euch.",
    "Kurzes Update von mir: Jetzt sind die Nachbarn auch offline.",
    "Gestern das Kundencenter, heute Internet. Was kommt morgen?",
    "Update: zwischendurch kurz Internet, jetzt wieder weg.",
    "Immer noch offline. Router blinkt weiter.",
]

FOLLOWUP_EN = [
    "Still nothing. Hello?",
    "Still no internet here. Any update at all?",
    "Update: still broken.",
]

METOO_DE = [
    "Bei mir auch!",
    "Hier genauso.",
    "Dito.",
    "Gleiches Problem hier.",
    "+1",
    "Kann ich bestätigen.",
    "Bei uns auch.",
    "Geht mir genauso 😤",
    "Same bei mir.",
    "Auch betroffen.",
]

METOO_EN = [
    "Same here.",
    "Same problem here.",
    "+1, me too.",
]

MONDAY_DE = [
    "Guten Morgen, bekomme ich für den Ausfall am Wochenende automatisch eine Gutschrift?",
    "Heute wieder alles stabil, danke. Wie sieht's mit der Gutschrift aus?",
    "Muss ich die Gutschrift beantragen oder kommt die automatisch?",
    "Kundencenter geht, aber ich musste mein Passwort neu setzen. Ist das wegen dem Angriff?",
    "Montag, Internet läuft, Kaffee läuft. Alles gut 👍",
    "Gibt es einen Bericht, was am Wochenende eigentlich passiert ist?",
]

# Brand replies: "{hi}" is "Hallo Anna" on Facebook and "@anna_hh Hallo" on X.
BRAND_REPLIES_DE: dict[str, str] = {
    "esim": "{hi}, eSIM gibt es für alle Laufzeittarife. Aktivieren kannst du sie direkt in der "
    "MeinNordtel App. ^LS",
    "roaming": "{hi}, ab dem 15. Juni telefonierst und surfst du in der EU zu Inlandspreisen. "
    "Für die Schweiz gibt es eine eigene Reiseoption. ^LS",
    "glasfaser": "{hi}, den Ausbau in deiner Straße siehst du im Verfügbarkeitscheck. Schick uns "
    "gerne deine Adresse per DM, dann schauen wir nach. ^TB",
    "umzug": "{hi}, melde den Umzug am besten 6 Wochen vorher, dann klappt der Wechsel ohne "
    "Unterbrechung. ^TB",
    "porting": "{hi}, die Rufnummernmitnahme dauert meist 5 bis 7 Werktage. ^LS",
    "puk": "{hi}, den PUK findest du auf der Karte, auf der deine SIM befestigt war. Wenn die "
    "weg ist, schreib uns eine DM. ^MK",
    "thanks": "{hi}, danke für das Lob! Das geben wir gerne ans Team weiter 😊 ^LS",
    "luck": "{hi}, viel Glück beim Gewinnspiel! 🍀 ^MK",
    "sorry": "{hi}, das tut uns leid! Schreib uns bitte eine DM mit deiner Kundennummer, wir "
    "kümmern uns. ^TB",
    "whatsapp": "{hi}, aktuell gibt es eine Störung bei WhatsApp selbst, unser Netz läuft "
    "normal. Sobald WhatsApp das behoben hat, gehen die Nachrichten wieder raus. ^MK",
    "dm": "{hi}, schreib uns gerne eine DM, dann schauen wir uns das zusammen an. ^LS",
    "joke": "{hi}, haha, der war gut 😄 ^MK",
}

BRAND_REPLIES_EN: dict[str, str] = {
    "thanks": "{hi}, thanks a lot, we'll pass that on to the team! ^LS",
    "dm": "{hi}, thanks for reaching out! Send us a DM and we'll help you in English. ^LS",
    "whatsapp": "{hi}, WhatsApp itself has a disruption right now, our network is fine. ^MK",
}

# ---------------------------------------------------------------------------------------------
# When a text may be said: some name a time of day, a weekday, or that the company says nothing.
# ---------------------------------------------------------------------------------------------

SAT_END = at(14, 0)
TIMED: dict[str, tuple[datetime, datetime]] = {
    "Um 15:30 ist Bundesliga und Nordtel TV geht nicht, weil kein Internet. Wenn das bis dahin "
    "nicht läuft...": (DSL_START, at(13, 15, 15)),
    "Wie soll ich heute Abend ESC schauen ohne Internet? 😭": (DSL_START, at(13, 20)),
    "ESC-Finale läuft gleich und ich hab kein Internet. Danke, Nordtel.": (at(13, 18), at(13, 21)),
    "Online-Prüfung um 14 Uhr und kein Internet. Ich dreh durch.": (DSL_START, at(13, 13, 45)),
    "Seit 3 Stunden offline. Bitte ein Status-Update!": (at(13, 10, 30), SAT_END),
    "Router blinkt seit Stunden. Schickt ihr einen Techniker oder was?": (at(13, 10), END),
    "Internet geht, dann wieder nicht, dann wieder... seit Stunden Abbrüche.": (at(13, 10), END),
    "In {ort} funktioniert seit Stunden kein Internet. Wir zahlen jeden Monat dafür!": (
        at(13, 10),
        END,
    ),
    "Handwerksbetrieb, 12 Mitarbeiter, seit Stunden keine Telefone. Aufträge kommen nicht rein.": (
        at(13, 10),
        END,
    ),
    "Oma hat Hausnotruf über euren Anschluss. Seit Stunden tot. Das ist lebensgefährlich!": (
        at(13, 10),
        END,
    ),
    "Physiotherapie-Praxis, Terminbuchung tot, Telefone tot. Heute ist Samstagssprechstunde.": (
        DSL_START,
        at(13, 13),
    ),
    "Steuerkanzlei hier. Heute ist Abgabetag für einen Mandanten, kein Internet. Wir verlieren "
    "Geld.": (DSL_START, SAT_END),
    "Als Geschäftskunde erwarte ich einen Rückruf innerhalb einer Stunde. Es sind drei "
    "geworden. Ohne Rückruf.": (at(13, 11), END),
    "Internet komplett down seit ca. 7:30. Ich zahle für 100 Mbit und bekomme 0.": (at(13, 8), END),
    "Auch {ort} seit 7:40 offline. Wann ist das behoben?": (at(13, 8), END),
    "Seit 7 Uhr tot. Nichts geht. Ist das eine Störung?": (at(13, 7, 45), END),
    "Ist bei euch in der Gegend auch das Internet weg? Bei mir seit 8 Uhr.": (at(13, 8, 15), END),
    "Störung in {ort}? Seit 8 Uhr kein DSL.": (at(13, 8, 15), END),
    "KEIN INTERNET SEIT 8 UHR UND KEINER SAGT WAS": (at(13, 8, 15), END),
    "hab seid 8 uhr kein inet mehr. danke": (at(13, 8, 15), END),
    "Pflegedienst hier: unsere Einsatzplanung läuft online. Seit 8 Uhr nichts. Das ist kritisch.": (
        at(13, 8, 15),
        END,
    ),
    "Unser Festnetztelefon ist seit 8 Uhr stumm. Meine Mutter ruft nur aufs Festnetz an...": (
        at(13, 8, 15),
        END,
    ),
    "Is there an outage in {ort}? DSL has been down since 8am.": (at(13, 8, 15), END),
    "Internet down since 7:30. Any updates?": (at(13, 7, 50), END),
    "45 Minuten in der Warteschleife, um zu hören, dass eine Störung vorliegt. Steht das "
    "nirgends?": (at(13, 8, 30), END),
    "Been on hold for 50 minutes to report the outage. Seriously?": (at(13, 8, 30), END),
    RANT_DSL_EN[0]: (at(13, 10, 30), END),
    RANT_DSL_DE[1]: (at(13, 10), END),
    "Gute Nacht, Nordtel. Ich hoffe, morgen früh geht's wieder.": (at(13, 21, 30), at(14, 3)),
    "Samstagabend ohne Internet. Wie in den 90ern.": (at(13, 18), SAT_END),
    "Versprochen war 18 Uhr. Jetzt ist es dunkel und ich sitze immer noch ohne Netz da.": (
        at(13, 21),
        at(14, 6),
    ),
    "Arbeitet ihr nachts dran? Hoffentlich. Bei mir immer noch tot.": (at(13, 22), at(14, 7)),
    "Sonntagmorgen, Kaffee fertig, Internet immer noch weg.": (at(14, 6), at(14, 12)),
    "Guten Morgen, Nordtel. Ist das Internet schon wach? Meins nicht.": (at(14, 6), at(14, 11, 30)),
    "Aufgewacht, Router blinkt immer noch. Ernsthaft?": (at(14, 6), at(14, 11, 30)),
    "Sunday morning and still no internet. Unbelievable.": (at(14, 6), at(14, 12)),
    "Über 24 Stunden ohne DSL. Wie lange soll das noch gehen?": (at(14, 7, 45), END),
    "Hab die Nacht mit Handy-Hotspot überlebt. Datenvolumen ist jetzt weg.": (at(14, 6), END),
    "Muttertag ohne Festnetz. Meine Mama wartet auf den Anruf.": (at(14, 7), at(14, 20)),
    "Juhu, Internet! Gerade noch rechtzeitig für den Tatort.": (at(14, 17), at(14, 20, 15)),
    "Seit 14:30 wieder online. Endlich 🙏": (at(14, 14, 35), END),
    "Seit 15 Uhr kein Login. Wie lange soll das noch dauern?": (at(12, 16), END),
    "Hotline: 'Aufgrund hohen Anrufaufkommens...' und dann Tuten. Seit 16 Uhr.": (
        at(12, 16, 30),
        END,
    ),
    "Die App sagt 'Wartungsarbeiten'. An einem Freitagnachmittag? Really?": (
        CRISIS_START,
        at(12, 18, 30),
    ),
    "Seit heute Nachmittag geht der Login nicht. Ist das bekannt?": (at(12, 15, 30), at(13, 0)),
    "Hotline dauerbesetzt. Seit einer Stunde.": (at(12, 15, 30), END),
    "MeinNordtel App: 'Service nicht verfügbar'. Seit einer Stunde. Was ist da los?": (
        at(12, 15, 30),
        END,
    ),
    "Your hotline has been busy for an hour and the app is dead. How do I reach you?": (
        at(12, 15, 30),
        END,
    ),
    "Euer Kundencenter ist seit Stunden down und ihr postet nichts. Kommunikation 6, setzen.": (
        at(12, 17),
        END,
    ),
    "Hotline dauerbesetzt, und zwar wirklich dauer-. Seit Stunden.": (at(12, 17), END),
    "Wann geht die App wieder? Ich muss meine Roaming-Option buchen, fliege morgen früh.": (
        CRISIS_START,
        at(13, 0),
    ),
    "Immer noch kein Login möglich. Seit gestern Nachmittag.": (at(13, 0), END),
    "Morgen 12 Uhr? Und bis dahin kann ich meine Prepaid-Karte nicht aufladen?": (
        PORTAL_UPDATE,
        at(13, 0),
    ),
    "Danke für die ehrliche Info. Dann warte ich halt bis morgen.": (PORTAL_UPDATE, at(13, 0)),
    "Kann ich bis morgen wenigstens per Hotline Datenvolumen nachbuchen?": (
        PORTAL_UPDATE,
        at(13, 0),
    ),
    "So the portal is off until tomorrow noon? What about prepaid top-ups?": (
        PORTAL_UPDATE,
        at(13, 0),
    ),
    "Das Update kam drei Stunden zu spät. Aber immerhin.": (PORTAL_UPDATE, at(13, 0)),
    "Gestern das Kundencenter, heute Internet. Was kommt morgen?": (DSL_START, SAT_END),
    "Kurzes Update von mir: Jetzt sind die Nachbarn auch offline.": (DSL_START, at(13, 16)),
    "Is the DSL outage related to yesterday's cyberattack?": (DSL_START, SAT_END),
    "Wollte noch schnell ein Muttertagsgeschenk online bestellen. Kein Internet...": (
        DSL_START,
        SAT_END,
    ),
    "18 Uhr?! Bis dahin ist der halbe Samstag rum.": (DSL_UPDATE, at(13, 14)),
    "Wenn das bis 18 Uhr nicht läuft, melde ich mich wieder. Versprochen.": (
        DSL_UPDATE,
        at(13, 17, 30),
    ),
    "Und die Festnetztelefonie? Geht die dann auch bis 18 Uhr wieder?": (
        DSL_UPDATE,
        at(13, 17, 30),
    ),
    "Ihr habt eine Pflicht zur Entstörung. Ich setze euch hiermit eine Frist bis heute 18 Uhr.": (
        DSL_START,
        at(13, 16),
    ),
    "Thanks for the update. Is the 6pm estimate realistic?": (DSL_UPDATE, at(13, 17)),
}

# "You say nothing": only until the team's first public update on that incident.
NO_INFO = {
    "Auch hier kein DSL. Bitte um Rückmeldung, ob eine Störung bekannt ist.",
    "Ist die Störung in {ort} bekannt? Ich finde nirgends Infos.",
    "KEIN INTERNET SEIT 8 UHR UND KEINER SAGT WAS",
    "Come on Nordtel, a simple status update would go a long way.",
    "Wann geht das Internet wieder? Ich brauche eine Uhrzeit, nicht 'wir arbeiten daran'.",
    "45 Minuten in der Warteschleife, um zu hören, dass eine Störung vorliegt. Steht das nirgends?",
    "Kein Internet. Kein WLAN. Keine Ahnung, was los ist. Bitte melden!",
    RANT_DSL_DE[0],
    "ICH WILL EINFACH NUR EINE INFO!!!",
    "SAGT ENDLICH WAS!!!",
    "Hackerangriff? Dann sagt das doch einfach. Wir sind erwachsen.",
    "Seid ihr von WannaCry betroffen? Ja oder nein?",
    "Ist das Kundencenter wegen dem Cyberangriff offline? Wäre nett, wenn ihr das mal "
    "bestätigen würdet.",
    "Erst WannaCry in den Nachrichten und jetzt ist euer Kundencenter offline. Zufall? Sagt "
    "mal was!",
    RANT_PORTAL[0],
    LEGAL_PORTAL[1],
    "Immer noch nichts. Und immer noch keine Info von euch.",
    "Nochmal: Wann kommt eine offizielle Info?",
}

# Words that tie a DSL complaint to the first day ("seit heute früh"): not said on Sunday.
FIRST_DAY_WORDS = (
    "heute früh",
    "heute Morgen",
    "Samstag",
    "Frühstück",
    "seit dem Aufstehen",
    "this morning",
    "since the morning",
    "today",
    "Seit 6:45",
    "Seit 7 Uhr",
    "seit 7:40",
    "seit ca. 7:30",
    "seit 8 Uhr",
    "Seit 8 Uhr",
    "SEIT 8 UHR",
    "seid 8 uhr",
    "since 8am",
    "since 7:30",
    "heute 7:10",
)


def fits(text: str, when: datetime, stream: str) -> bool:
    """Whether a customer could plausibly write ``text`` at ``when``."""
    window = TIMED.get(text)
    if window is not None and not window[0] <= when < window[1]:
        return False
    if text in NO_INFO and when >= (PORTAL_UPDATE if stream == "portal" else DSL_UPDATE):
        return False
    if stream in ("internet", "phone") and when >= SAT_END:
        return not any(word in text for word in FIRST_DAY_WORDS)
    return True


# ---------------------------------------------------------------------------------------------
# Places and people
# ---------------------------------------------------------------------------------------------

HAMBURG_DISTRICTS = [
    "Altona",
    "Eimsbüttel",
    "Wandsbek",
    "Harburg",
    "Ottensen",
    "Barmbek",
    "Winterhude",
    "Eppendorf",
    "St. Pauli",
    "Bergedorf",
]
MUNICH_DISTRICTS = [
    "Schwabing",
    "Giesing",
    "Pasing",
    "Sendling",
    "Haidhausen",
    "Neuhausen",
    "Bogenhausen",
    "Moosach",
    "Trudering",
    "Maxvorstadt",
]
OTHER_CITIES = [
    "Berlin",
    "Köln",
    "Frankfurt am Main",
    "Leipzig",
    "Stuttgart",
    "Düsseldorf",
    "Dresden",
    "Hannover",
    "Nürnberg",
    "Bremen",
    "Hamburg",
    "München",
    "Dortmund",
    "Kiel",
    "Bonn",
    "Berlin-Neukölln",
]
CITY_WORDS = [
    "Hamburg",
    "München",
    "Munich",
    "Pinneberg",
    "Köln",
    "Leipzig",
    "Bremen",
    *HAMBURG_DISTRICTS,
    *MUNICH_DISTRICTS,
]

# fmt: off
DE_NAMES: dict[str, tuple[list[str], list[str]]] = {
    "german": (
        [
            "Sabine", "Jens", "Anna", "Thomas", "Petra", "Michael", "Claudia", "Stefan",
            "Julia", "Andreas", "Katrin", "Markus", "Birgit", "Tobias", "Nicole", "Frank",
            "Sandra", "Dirk", "Melanie", "Uwe", "Lea", "Jonas", "Laura", "Felix", "Svenja",
            "Hauke", "Maren", "Florian", "Franziska", "Sepp", "Vroni", "Maximilian", "Monika",
            "Helga", "Karl-Heinz", "Ute", "Nadine", "Daniel", "Christian", "Susanne", "Heike",
            "Bernd", "Jana", "Kevin", "Moritz", "Greta", "Hannes", "Wiebke", "Rainer", "Tanja",
        ],
        [
            "Krüger", "Müller", "Schulz", "Hansen", "Petersen", "Brandt", "Wagner", "Huber",
            "Bauer", "Maier", "Hofmann", "Schröder", "Neumann", "Weber", "Köhler", "Lorenzen",
            "Jensen", "Meyer", "Fischer", "Becker", "Schmitt", "Hartmann", "Lange", "Winter",
            "Stein", "Lehmann", "Zimmermann", "Graf", "Obermeier", "Wimmer", "Gruber", "Ohlsen",
            "Dittmer", "Thiel", "Sommer", "Frey", "Voß", "Kuhn", "Brunner", "Hinrichs",
        ],
    ),
    "turkish": (
        ["Ayşe", "Mehmet", "Emre", "Elif", "Fatma", "Kemal", "Deniz", "Cem", "Zeynep", "Murat"],
        ["Yılmaz", "Demir", "Kaya", "Öztürk", "Şahin", "Çelik", "Aydın", "Arslan"],
    ),
    "polish": (
        ["Katarzyna", "Piotr", "Agnieszka", "Tomasz", "Magdalena", "Paweł"],
        ["Nowak", "Kowalski", "Wójcik", "Lewandowski", "Zielińska", "Mazur"],
    ),
    "other": (
        ["Dimitrios", "Giulia", "Luca", "Olga", "Sergej", "Ana", "Milan", "Nikola"],
        ["Papadopoulos", "Rossi", "Esposito", "Petrov", "Jovanović", "Marić", "Ivanova"],
    ),
}
# fmt: on

DOUBLE_NAMES = ["Anna-Lena", "Hans-Peter", "Marie-Luise", "Jan-Hendrik", "Eva-Maria", "Karl-Heinz"]
EN_FIRST = [
    "Tom", "Priya", "James", "Emily", "Carlos", "Sofia", "Mark", "Rachel", "Daniel", "Olivia",
    "Raj", "Lucas", "Hannah", "Chris", "Aisha", "Mateo", "Ben", "Kate", "Sean", "Mei",
]  # fmt: skip
EN_LAST = [
    "Whitaker", "Sharma", "O'Brien", "Miller", "Garcia", "Rossi", "Nguyen", "Thompson",
    "Patel", "Evans", "Murphy", "Walsh", "Chen", "Silva", "Brooks",
]  # fmt: skip
X_CURATED = [
    "jens_hh", "MuenchnerKindl", "elbkind89", "hanseatin", "IsarFlo", "Fischkopp_HH",
    "BarmbekBasti", "schwabinger_jung", "giesinger_bua", "pasinger_mama", "tech_tobi",
    "kaffeejunkie", "nachtschicht_nina", "papa_von_drei", "dieHamburgerin", "alsterblick",
    "ottensen_otto", "weisswurst_anna", "moin_moin_malte", "servus_sepp", "hafenkind",
    "isarpreiss", "elbphilharmonie_fan", "lokstedter", "wiesnmadl", "harburger_jung",
    "datenschutz_dani", "gamer_gregor", "homeoffice_heike", "fernweh_fritzi",
]  # fmt: skip
X_SUFFIXES = ["_hh", "_muc", "hh", "muc", "_ber", "87", "1979", "_92", "_de", "2000", "_x", "77"]
EN_X_SUFFIXES = ["_in_hamburg", "_in_munich", "_muc", "_hh", "_abroad", "_de", "88", "_uk"]

ASCII_MAP = str.maketrans(
    {
        "ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ş": "s", "ı": "i", "ç": "c", "ł": "l",
        "ń": "n", "ś": "s", "ó": "o", "ć": "c", "ę": "e", "ą": "a", "ż": "z", "ź": "z",
        "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "Ş": "S", "Ç": "C", "'": "", "-": "", " ": "",
    }
)  # fmt: skip

# Reserved for the hand-placed comments.
RESERVED_AUTHORS = ["Ayşe Demir", "Katarzyna Wiśniewska", "Emre Kaya", "Sabine K."]

NEG_SUFFIXES = [" 😡", " 😤", " 🙄", " 😠", " 🤬", "!!", " 😩", " 👎", "!!!", " 😒"]
POS_SUFFIXES = [" 🙂", " 👍", " 😊", " 🙏", " ❤️", " 👌"]
HASHTAGS_DE = [" #nordtelstörung", " #nordtel", " #Störung", " #fail", " #nordtelfail"]
HASHTAGS_EN = [" #nordtel", " #outage", " #nordtelstörung", " #fail"]


# ---------------------------------------------------------------------------------------------
# Model
# ---------------------------------------------------------------------------------------------


@dataclass
class Pool:
    name: str
    lang: str | None  # None: no language (emoji only)
    topic: str  # "portal", "internet", "phone", "ordinary", ...
    texts: list[str]
    negative: bool = True
    kind: str = "text"  # "text" | "followup" | "metoo"
    once: bool = False  # each text at most once, then the pool is spent
    platform: str | None = None  # force a platform
    fb_post: str | None = None  # force the Facebook post it hangs under
    bag: list[str] = field(default_factory=list)
    drawn: int = 0

    def spent(self) -> bool:
        return self.once and self.drawn >= len(self.texts)

    def draw(self, rng: random.Random, fits: Callable[[str], bool]) -> str | None:
        """The next text that ``fits`` (the moment), or None; skipped texts wait their turn."""
        if not self.bag:
            self.bag = list(self.texts)
            rng.shuffle(self.bag)
        skipped: list[str] = []
        found: str | None = None
        while self.bag:
            text = self.bag.pop()
            if fits(text):
                found = text
                break
            skipped.append(text)
        self.bag[:0] = skipped
        if found is not None:
            self.drawn += 1
        return found


@dataclass
class Place:
    city: str  # "Hamburg" | "München" | other
    district: str | None

    def phrase(self, rng: random.Random, lang: str | None) -> str:
        city = (
            "Munich"
            if self.city == "München" and lang == "en" and rng.random() < 0.7
            else (self.city)
        )
        if self.district is None:
            return city
        return rng.choice([self.district, self.district, f"{city}-{self.district}", city])

    def location(self, rng: random.Random, lang: str | None) -> str:
        if self.city not in ("Hamburg", "München"):
            return self.city
        en = lang == "en"
        city = self.city
        options = [city, f"{city}, Deutschland"] if not en else [city, f"{city}, Germany"]
        if city == "München":
            options += ["Munich, Germany", "Muenchen"] if not en else ["Munich, Germany", "Munich"]
        else:
            options += ["HH"]
        if self.district is not None:
            options += [f"{city}-{self.district}", f"{self.district}, {city}"]
        return rng.choice(options)


@dataclass
class Draft:
    at: datetime
    platform: str
    author: str
    text: str
    lang: str | None
    pool: str
    stream: str
    location: str | None = None
    reply_to: Draft | None = None
    fb_post: str | None = None  # Facebook: the page post it hangs under
    omit_lang: bool = False
    brand: bool = False
    followups: int = 0
    id: str = ""


Mix = list[tuple[str, float]]
Windows = list[tuple[datetime, datetime, int]]


def make_pools() -> dict[str, Pool]:
    pools = [
        Pool("questions_de", "de", "ordinary", QUESTIONS_DE, negative=False),
        Pool("questions_en", "en", "ordinary", QUESTIONS_EN, negative=False),
        Pool("praise_de", "de", "ordinary", PRAISE_DE, negative=False),
        Pool("praise_en", "en", "ordinary", PRAISE_EN, negative=False),
        Pool("marketing", "de", "ordinary", MARKETING_GENERAL, negative=False),
        Pool(
            "marketing_glasfaser",
            "de",
            "ordinary",
            MARKETING_GLASFASER,
            negative=False,
            platform="facebook",
            fb_post=FB_GLASFASER,
        ),
        Pool(
            "marketing_gewinnspiel",
            "de",
            "ordinary",
            MARKETING_GEWINNSPIEL,
            negative=False,
            platform="x",
        ),
        Pool("jokes", "de", "ordinary", JOKES_DE, negative=False, once=True),
        Pool("hard_negative", "de", "ordinary", HARD_NEGATIVES_DE, negative=False, once=True),
        Pool("whatsapp", "de", "whatsapp", WHATSAPP, once=True),
        Pool("whatsapp_en", "en", "whatsapp", WHATSAPP_EN, once=True),
        Pool("portal_de", "de", "portal", PORTAL_DE),
        Pool("portal_news_de", "de", "portal", PORTAL_NEWS_DE),
        Pool("portal_silence_de", "de", "portal", PORTAL_SILENCE_DE, once=True),
        Pool("portal_silence_en", "en", "portal", PORTAL_SILENCE_EN, once=True),
        Pool("portal_update_de", "de", "portal", PORTAL_AFTER_UPDATE_DE, once=True),
        Pool("portal_update_en", "en", "portal", PORTAL_AFTER_UPDATE_EN, once=True),
        Pool("portal_en", "en", "portal", PORTAL_EN),
        Pool("hotline_de", "de", "portal", HOTLINE_DE),
        Pool("business_portal", "de", "portal", BUSINESS_PORTAL, once=True),
        Pool("legal_portal", "de", "portal", LEGAL_PORTAL, once=True),
        Pool("caps_portal", "de", "portal", CAPS_PORTAL, once=True),
        Pool("typo_portal", "de", "portal", TYPO_PORTAL, once=True),
        Pool("rant_portal", "de", "portal", RANT_PORTAL, once=True),
        Pool("portal_relief_de", "de", "portal_relief", PORTAL_RELIEF_DE, negative=False),
        Pool("portal_relief_en", "en", "portal_relief", PORTAL_RELIEF_EN, negative=False),
        Pool("portal_straggler", "de", "portal", PORTAL_STRAGGLER_DE, once=True),
        Pool("dsl_de", "de", "internet", DSL_DE),
        Pool("dsl_ort_de", "de", "internet", DSL_ORT_DE),
        Pool("dsl_en", "en", "internet", DSL_EN),
        Pool("voip_de", "de", "phone", VOIP_DE),
        Pool("voip_en", "en", "phone", VOIP_EN, once=True),
        Pool("business_dsl", "de", "internet", BUSINESS_DSL, once=True),
        Pool("business_en", "en", "internet", BUSINESS_EN, once=True),
        Pool("vulnerable_de", "de", "phone", VULNERABLE_DE, once=True),
        Pool("vulnerable_en", "en", "phone", VULNERABLE_EN, once=True),
        Pool("legal_dsl", "de", "internet", LEGAL_DSL, once=True),
        Pool("legal_en", "en", "internet", LEGAL_EN, once=True),
        Pool("churn_de", "de", "internet", CHURN_DE),
        Pool("churn_dsl_de", "de", "internet", CHURN_DSL_DE, once=True),
        Pool("churn_en", "en", "internet", CHURN_EN, once=True),
        Pool("sarcasm_de", "de", "internet", SARCASM_DE),
        Pool("sarcasm_dsl_de", "de", "internet", SARCASM_DSL_DE, once=True),
        Pool("sarcasm_en", "en", "internet", SARCASM_EN, once=True),
        Pool("short_de", "de", "internet", SHORT_DE),
        Pool("short_en", "en", "internet", SHORT_EN),
        Pool("short_nolang", None, "internet", SHORT_NOLANG, once=True),
        Pool("caps_dsl", "de", "internet", CAPS_DSL, once=True),
        Pool("typo_dsl", "de", "internet", TYPO_DSL, once=True),
        Pool("rant_dsl_de", "de", "internet", RANT_DSL_DE, once=True),
        Pool("rant_dsl_en", "en", "internet", RANT_DSL_EN, once=True),
        Pool("rant_sunday", "de", "internet", RANT_SUNDAY_DE, once=True),
        Pool("dsl_update_de", "de", "internet", DSL_AFTER_UPDATE_DE, once=True),
        Pool("dsl_update_en", "en", "internet", DSL_AFTER_UPDATE_EN, once=True),
        Pool("dsl_eta_missed_de", "de", "internet", DSL_ETA_MISSED_DE),
        Pool("dsl_eta_missed_en", "en", "internet", DSL_ETA_MISSED_EN, once=True),
        Pool("dsl_day2_de", "de", "internet", DSL_DAY2_DE),
        Pool("dsl_day2_en", "en", "internet", DSL_DAY2_EN),
        Pool("dsl_monitoring_de", "de", "internet", DSL_MONITORING_DE),
        Pool("dsl_monitoring_en", "en", "internet", DSL_MONITORING_EN),
        Pool("ads_de", "de", "ads", ADS_DE, once=True),
        Pool("ads_en", "en", "ads", ADS_EN, once=True),
        Pool("dsl_relief_de", "de", "internet_relief", DSL_RELIEF_DE, negative=False),
        Pool("dsl_relief_en", "en", "internet_relief", DSL_RELIEF_EN, negative=False),
        Pool("grumpy_de", "de", "internet", GRUMPY_DE),
        Pool("grumpy_en", "en", "internet", GRUMPY_EN, once=True),
        Pool("followup", "de", "followup", FOLLOWUP_DE, kind="followup"),
        Pool("metoo", "de", "metoo", METOO_DE, kind="metoo"),
        Pool("metoo_en", "en", "metoo", METOO_EN, kind="metoo"),
        Pool("monday", "de", "ordinary", MONDAY_DE, negative=False, once=True),
    ]
    return {pool.name: pool for pool in pools}


def place_agrees(text: str, place: Place) -> bool:
    """False when the text names a place other than the one its location would give."""
    if not any(word in text for word in CITY_WORDS):
        return True
    names = [place.city, "Munich" if place.city == "München" else place.city]
    if place.district is not None:
        names.append(place.district)
    return any(name in text for name in names)


def ascii_handle(text: str) -> str:
    return text.translate(ASCII_MAP)


class Authors:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set(RESERVED_AUTHORS) | {BRAND_FB, BRAND_X}
        self.curated = list(X_CURATED)
        rng.shuffle(self.curated)

    def new(self, platform: str, lang: str | None) -> str:
        for _ in range(1000):
            name = self._candidate(platform, lang)
            if name not in self.used:
                self.used.add(name)
                return name
        raise RuntimeError("ran out of author names")

    def _candidate(self, platform: str, lang: str | None) -> str:
        rng = self.rng
        if lang == "en":
            first, last = rng.choice(EN_FIRST), rng.choice(EN_LAST)
            if platform == "facebook":
                return f"{first} {last}" if rng.random() < 0.7 else f"{first} {last[0]}."
            handle = ascii_handle(first.lower() + rng.choice(["", "_", "."]).replace(".", "_"))
            return handle.rstrip("_") + rng.choice(EN_X_SUFFIXES)
        group = rng.choices(list(DE_NAMES), weights=[80, 10, 6, 4])[0]
        firsts, lasts = DE_NAMES[group]
        first, last = rng.choice(firsts), rng.choice(lasts)
        if platform == "facebook":
            roll = rng.random()
            if roll < 0.55:
                return f"{first} {last}"
            if roll < 0.9:
                return f"{first} {last[0]}."
            return f"{rng.choice(DOUBLE_NAMES)} {last}" if group == "german" else first
        if self.curated and rng.random() < 0.15:
            return self.curated.pop()
        roll = rng.random()
        if roll < 0.4:
            return ascii_handle(first.lower()) + rng.choice(X_SUFFIXES)
        if roll < 0.7:
            return ascii_handle(first.lower() + "_" + last.lower())
        if roll < 0.85:
            return ascii_handle(first + last[0]) + str(rng.randint(1, 99))
        return ascii_handle(first[0].lower() + last.lower()) + rng.choice(["", "_", "x"])


# ---------------------------------------------------------------------------------------------
# The generator
# ---------------------------------------------------------------------------------------------


class Scenario:
    def __init__(self) -> None:
        self.rng = random.Random(SEED)
        self.pools = make_pools()
        self.authors = Authors(self.rng)
        self.drafts: list[Draft] = []
        self.texts_used: set[str] = set()
        self.events: list[dict[str, Any]] = []

    # --- time ----------------------------------------------------------------------------

    def time_in(self, start: datetime, end: datetime) -> datetime:
        span = int((end - start).total_seconds())
        return start + timedelta(seconds=self.rng.randrange(max(span, 1)))

    def times_in(self, windows: Windows) -> list[datetime]:
        times = [self.time_in(s, e) for s, e, n in windows for _ in range(n)]
        return sorted(times)

    def daytime(self, start: datetime, end: datetime, n: int) -> list[datetime]:
        """``n`` times between start and end, mostly in waking hours."""
        weights_by_hour = [
            0.2, 0.1, 0.05, 0.05, 0.05, 0.1, 0.4, 0.9, 1.5, 2.0, 2.0, 2.0,
            2.2, 2.0, 2.0, 2.0, 2.0, 2.2, 2.4, 2.6, 2.6, 2.0, 1.4, 0.7,
        ]  # fmt: skip
        hours: list[datetime] = []
        cursor = start.replace(minute=0, second=0)
        while cursor < end:
            hours.append(cursor)
            cursor += timedelta(hours=1)
        picks = self.rng.choices(hours, weights=[weights_by_hour[h.hour] for h in hours], k=n)
        out = []
        for hour in picks:
            lo, hi = max(hour, start), min(hour + timedelta(hours=1), end)
            out.append(self.time_in(lo, hi))
        return sorted(out)

    # --- texts ---------------------------------------------------------------------------

    def fill(self, text: str, when: datetime, place: Place | None, lang: str | None) -> str:
        if "{ort}" in text:
            where = place or Place(self.rng.choice(["Hamburg", "München"]), None)
            text = text.replace("{ort}", where.phrase(self.rng, lang))
        if "{uhrzeit}" in text:
            text = text.replace("{uhrzeit}", f"{when:%H:%M}")
        if "{stunden}" in text:
            text = text.replace(
                "{stunden}", str(max(2, int((when - DSL_START).total_seconds() // 3600)))
            )
        return text

    def vary(self, text: str, pool: Pool, platform: str, place: Place | None, force: int) -> str:
        rng = self.rng
        lang = pool.lang
        out = text
        mentions_place = any(word in out for word in CITY_WORDS)
        if (
            place is not None
            and place.district is not None
            and not mentions_place
            and pool.topic in ("internet", "phone", "metoo")
            and len(out) < 200
            and (rng.random() < 0.35 or force >= 2)
        ):
            phrase = place.phrase(rng, lang)
            if lang == "en":
                out += rng.choice([f" ({phrase})", f" Here in {phrase}.", f" – {phrase}"])
            else:
                out += rng.choice(
                    [f" ({phrase})", f" Hier in {phrase}.", f" – {phrase}", f" Grüße aus {phrase}"]
                )
        if rng.random() < (0.22 if pool.negative else 0.12) or force >= 1:
            suffix = rng.choice(NEG_SUFFIXES if pool.negative else POS_SUFFIXES)
            if suffix.startswith("!"):
                out = out.removesuffix(".")
            out += suffix
        tags = HASHTAGS_EN if lang == "en" else HASHTAGS_DE
        hashtag_odds = 0.2 if platform == "x" else 0.05
        if (
            pool.negative
            and pool.topic != "ordinary"
            and (rng.random() < hashtag_odds or force >= 3)
        ):
            out += rng.choice(tags)
        if platform == "x" and "@nordtel" not in out:
            roll = rng.random()
            if roll < 0.45 or force >= 4:
                out = "@nordtel " + out
            elif roll < 0.55:
                out = out + " @nordtel"
        return out

    def make_text(
        self, pool: Pool, platform: str, when: datetime, place: Place | None, stream: str
    ) -> str | None:
        for _ in range(6):
            if pool.spent():
                return None
            raw = pool.draw(self.rng, lambda text: fits(text, when, stream))
            if raw is None:
                return None
            base = self.fill(raw, when, place, pool.lang)
            for force in range(7):
                text = self.vary(base, pool, platform, place, force)
                if text not in self.texts_used:
                    self.texts_used.add(text)
                    return text
        return None

    # --- comments ------------------------------------------------------------------------

    def choose_pool(self, mix: Mix) -> Pool:
        live = [(self.pools[name], weight) for name, weight in mix if weight > 0]
        live = [(pool, weight) for pool, weight in live if not pool.spent()]
        return self.rng.choices([p for p, _ in live], weights=[w for _, w in live])[0]

    def place_for(self, stream: str) -> Place:
        rng = self.rng
        if stream in ("internet", "phone"):
            if rng.random() < 0.55:
                return Place(
                    "Hamburg", rng.choice(HAMBURG_DISTRICTS) if rng.random() < 0.8 else None
                )
            return Place("München", rng.choice(MUNICH_DISTRICTS) if rng.random() < 0.8 else None)
        if stream == "ads":
            return Place(rng.choice(["Hamburg", "München"]), None)
        return Place(rng.choice(OTHER_CITIES), None)

    def fb_post_for(self, when: datetime, crisis: bool) -> str:
        published = [post for time, post in FB_PAGE_POSTS if time <= when]
        latest = published[-1]
        roll = self.rng.random()
        if crisis:
            if roll < 0.65:
                return latest
            if roll < 0.85 and FB_GLASFASER in published:
                return FB_GLASFASER
            return FB_PINNED
        return latest if roll < 0.5 else self.rng.choice(published)

    def add(
        self,
        when: datetime,
        stream: str,
        mix: Mix,
        *,
        platform: str | None = None,
        location_odds: float = 0.3,
    ) -> Draft | None:
        for _ in range(10):
            pool = self.choose_pool(mix)
            if pool.kind == "followup":
                draft = self.followup(when, stream)
            elif pool.kind == "metoo":
                draft = self.metoo(when, stream, pool)
            else:
                draft = self.fresh(when, stream, pool, platform, location_odds)
            if draft is not None:
                self.drafts.append(draft)
                return draft
        return None

    def fresh(
        self,
        when: datetime,
        stream: str,
        pool: Pool,
        platform: str | None,
        location_odds: float,
    ) -> Draft | None:
        rng = self.rng
        platform = pool.platform or platform or rng.choice(["facebook", "x"])
        place = self.place_for(stream if pool.topic not in ("phone",) else "phone")
        text = self.make_text(pool, platform, when, place, stream)
        if text is None:
            return None
        lang = pool.lang
        draft = Draft(
            at=when,
            platform=platform,
            author=self.authors.new(platform, lang),
            text=text,
            lang=lang,
            pool=pool.name,
            stream=pool.topic if pool.topic in ("phone",) else stream,
        )
        if rng.random() < location_odds and place_agrees(text, place):
            draft.location = place.location(rng, lang)
        if platform == "facebook":
            draft.fb_post = pool.fb_post or self.fb_post_for(when, stream != "ordinary")
        draft.omit_lang = lang is not None and rng.random() < 0.10
        return draft

    def earlier(self, when: datetime, streams: Sequence[str], within: timedelta) -> list[Draft]:
        return [
            d
            for d in self.drafts
            if not d.brand and d.stream in streams and when - within <= d.at < when
        ]

    def metoo(self, when: datetime, stream: str, pool: Pool) -> Draft | None:
        rng = self.rng
        candidates = [
            d
            for d in self.earlier(when, (stream, "phone"), timedelta(hours=3))
            if d.lang in ("de", "en") and d.pool not in ("metoo", "metoo_en")
        ]
        if not candidates:
            return None
        target = rng.choice(candidates[-25:])
        if target.lang == "en" and pool.lang != "en":
            pool = self.pools["metoo_en"]
        platform = target.platform
        place = self.place_for(stream)
        text = self.make_text(pool, platform, when, place, stream)
        if text is None:
            return None
        draft = Draft(
            at=when,
            platform=platform,
            author=self.authors.new(platform, pool.lang),
            text=text,
            lang=pool.lang,
            pool=pool.name,
            stream=stream,
            reply_to=target,
            fb_post=target.fb_post,
        )
        if place is not None and rng.random() < 0.2:
            draft.location = place.location(rng, pool.lang)
        draft.omit_lang = rng.random() < 0.10
        return draft

    def followup(self, when: datetime, stream: str) -> Draft | None:
        rng = self.rng
        candidates = [
            d
            for d in self.earlier(when, (stream, "phone"), timedelta(hours=30))
            if d.at <= when - timedelta(minutes=90)
            and d.lang in ("de", "en")
            and d.followups == 0
            and d.reply_to is None
        ]
        if not candidates:
            return None
        origin = rng.choice(candidates)
        if origin.lang == "en":
            pool = Pool("followup_en", "en", "followup", FOLLOWUP_EN)
            texts = FOLLOWUP_EN
        else:
            extra = FOLLOWUP_PORTAL_DE if stream == "portal" else FOLLOWUP_DSL_DE
            texts = FOLLOWUP_DE + extra
            pool = Pool("followup", "de", "followup", texts)
        # Each author writes a text they have not written before: the whole set is unique.
        order = [text for text in texts if fits(text, when, stream)]
        rng.shuffle(order)
        for base in order:
            filled = self.fill(base, when, None, pool.lang)
            for force in range(4):
                text = self.vary(filled, pool, origin.platform, None, force)
                if text not in self.texts_used:
                    self.texts_used.add(text)
                    origin.followups += 1
                    return Draft(
                        at=when,
                        platform=origin.platform,
                        author=origin.author,
                        text=text,
                        lang=origin.lang,
                        pool=pool.name,
                        stream=origin.stream,
                        location=origin.location if rng.random() < 0.5 else None,
                        reply_to=origin,
                        fb_post=origin.fb_post,
                        omit_lang=rng.random() < 0.10,
                    )
        return None

    def fixed(
        self,
        when: datetime,
        platform: str,
        author: str,
        text: str,
        *,
        lang: str | None,
        pool: str,
        stream: str,
        location: str | None = None,
        reply_to: Draft | None = None,
        fb_post: str | None = None,
    ) -> Draft:
        if text in self.texts_used:
            raise ValueError(f"duplicate fixed text: {text!r}")
        self.texts_used.add(text)
        self.authors.used.add(author)
        if platform == "facebook" and fb_post is None:
            fb_post = reply_to.fb_post if reply_to else self.fb_post_for(when, stream != "ordinary")
        draft = Draft(
            at=when,
            platform=platform,
            author=author,
            text=text,
            lang=lang,
            pool=pool,
            stream=stream,
            location=location,
            reply_to=reply_to,
            fb_post=fb_post,
        )
        self.drafts.append(draft)
        return draft

    def brand_reply(self, target: Draft, key: str, delay_minutes: int) -> Draft | None:
        when = target.at + timedelta(minutes=delay_minutes, seconds=self.rng.randrange(60))
        if when.hour < 8:
            when = when.replace(hour=8, minute=self.rng.randrange(5, 50))
        elif when.hour >= 22:
            when = (when + timedelta(days=1)).replace(hour=8, minute=self.rng.randrange(5, 50))
        if when >= END or (CRISIS_START <= when < at(15, 8)):
            return None
        english = target.lang == "en"
        templates = BRAND_REPLIES_EN if english else BRAND_REPLIES_DE
        template = templates.get(key, templates["dm"])
        if target.platform == "x":
            hi = f"@{target.author} " + ("Hi" if english else "Hallo")
            author = BRAND_X
        else:
            first = target.author.split()[0]
            hi = ("Hi " if english else "Hallo ") + first
            author = BRAND_FB
        text = template.format(hi=hi)
        if text in self.texts_used:
            return None
        self.texts_used.add(text)
        draft = Draft(
            at=when,
            platform=target.platform,
            author=author,
            text=text,
            lang="en" if english else "de",
            pool="brand_reply",
            stream="brand",
            reply_to=target,
            fb_post=target.fb_post,
            brand=True,
        )
        self.drafts.append(draft)
        return draft

    # --- the week ------------------------------------------------------------------------

    def ordinary_mix(self, when: datetime) -> Mix:
        mix: Mix = [
            ("questions_de", 38),
            ("questions_en", 6),
            ("praise_de", 14),
            ("praise_en", 3),
            ("marketing", 5),
            ("jokes", 4),
            ("hard_negative", 4),
        ]
        if when >= at(10, 11):
            mix.append(("marketing_glasfaser", 7 if when < at(12, 0) else 2))
        if when >= at(11, 16):
            mix.append(("marketing_gewinnspiel", 9 if when < at(13, 0) else 3))
        if when >= at(15, 0):
            mix.append(("monday", 25))
        return mix

    def ordinary(self) -> None:
        days: list[tuple[datetime, datetime, int]] = [
            (at(8, 0), at(9, 0), 28),
            (at(9, 0), at(10, 0), 23),
            (at(10, 0), at(11, 0), 29),
            (at(11, 0), at(12, 0), 31),
            (at(12, 0), CRISIS_START, 17),
            (CRISIS_START, at(13, 0), 5),
            (at(13, 0), at(14, 0), 4),
            (at(14, 0), at(15, 0), 5),
            (at(15, 0), END, 12),
        ]
        for start, end, n in days:
            for when in self.daytime(start, end, n):
                self.add(when, "ordinary", self.ordinary_mix(when), location_odds=0.08)

    def individual_complaints(self) -> None:
        """A few unrelated complaints spread over the week, each a different service."""
        bill = self.fixed(
            at(8, 11, 20),
            "facebook",
            "Sabine K.",
            "Warum wurden mir diesen Monat 14,99 € für eine Option abgebucht, die ich nie gebucht "
            "habe? Bitte um Erklärung.",
            lang="de",
            pool="individual_billing",
            stream="individual",
            fb_post=FB_SPRING,
        )
        self.brand_reply(bill, "sorry", 35)
        slow = self.fixed(
            at(9, 9, 41),
            "x",
            "dsl_drossel_dirk",
            "@nordtel Gebucht 50 Mbit, ankommen tun abends 6. Seit zwei Wochen. Speedtests hab ich "
            "genug gemacht. #vdsl",
            lang="de",
            pool="individual_dsl",
            stream="individual",
            location="Hannover",
        )
        self.brand_reply(slow, "sorry", 22)
        self.fixed(
            at(10, 8, 52),
            "x",
            "dsl_drossel_dirk",
            "@nordtel Tag 3 mit 6 Mbit. Techniker-Termin erst in 10 Tagen?! Ernsthaft?",
            lang="de",
            pool="individual_dsl",
            stream="individual",
            reply_to=slow,
            location="Hannover",
        )
        shop = self.fixed(
            at(10, 17, 12),
            "facebook",
            "Reinhard Vogt",
            "War heute im Shop in der Nürnberger Innenstadt. Der Verkäufer hat mich angepampt, "
            "weil ich nur eine Frage zur Rechnung hatte. So geht man nicht mit Kunden um.",
            lang="de",
            pool="individual_shop",
            stream="individual",
            fb_post=FB_GLASFASER,
        )
        self.brand_reply(shop, "sorry", 48)
        parcel = self.fixed(
            at(11, 10, 31),
            "facebook",
            "Franzi Lindner",
            "Mein neues Handy ist laut Sendungsverfolgung seit Montag 'in Zustellung'. Wo ist das "
            "Paket? Die Bestellnummer hab ich per DM geschickt, keine Antwort.",
            lang="de",
            pool="individual_parcel",
            stream="individual",
            fb_post=FB_GLASFASER,
        )
        self.brand_reply(parcel, "sorry", 64)
        self.fixed(
            at(12, 9, 14),
            "facebook",
            "Franzi Lindner",
            "Paket immer noch nicht da. DHL sagt, ihr müsst den Nachforschungsauftrag stellen.",
            lang="de",
            pool="individual_parcel",
            stream="individual",
            reply_to=parcel,
        )
        self.fixed(
            at(11, 19, 6),
            "x",
            "mahnung_marco",
            "Zweite Mahnung für eine Rechnung, die längst bezahlt ist. Wer hat sich diesen Prozess "
            "ausgedacht? @nordtel",
            lang="de",
            pool="individual_billing",
            stream="individual",
        )

    def whatsapp(self) -> None:
        """Tue 9 May evening: WhatsApp is down and customers blame the network."""
        mix: Mix = [("whatsapp", 9), ("whatsapp_en", 1)]
        drafts = [
            self.add(when, "whatsapp", mix, location_odds=0.1)
            for when in self.times_in([(at(9, 19, 38), at(9, 20, 55), 9)])
        ]
        replied = [d for d in drafts if d is not None][:3]
        for draft in replied:
            self.brand_reply(draft, "whatsapp", self.rng.randint(6, 18))

    def ordinary_brand_replies(self) -> None:
        keys = [
            ("eSIM", "esim"),
            ("Roaming", "roaming"),
            ("roaming", "roaming"),
            ("Glasfaser", "glasfaser"),
            ("Umzug", "umzug"),
            ("ziehe", "umzug"),
            ("Rufnummernmitnahme", "porting"),
            ("portiere", "porting"),
            ("PUK", "puk"),
        ]
        for draft in list(self.drafts):
            if draft.stream != "ordinary" or self.rng.random() > 0.24:
                continue
            key = "dm"
            if draft.pool.startswith("praise"):
                key = "thanks"
            elif draft.pool == "marketing_gewinnspiel":
                key = "luck"
            elif draft.pool == "jokes":
                key = "joke"
            else:
                for needle, found in keys:
                    if needle in draft.text:
                        key = found
                        break
            self.brand_reply(draft, key, self.rng.randint(8, 140))

    # --- the portal shutdown -------------------------------------------------------------

    def portal_mix(self, when: datetime) -> Mix:
        if when < at(12, 16):
            return [
                ("portal_de", 70),
                ("hotline_de", 12),
                ("portal_en", 8),
                ("short_de", 3),
                ("caps_portal", 2),
                ("typo_portal", 2),
                ("metoo", 5),
            ]
        mix: Mix = [
            ("portal_de", 36),
            ("portal_news_de", 12),
            ("hotline_de", 9),
            ("portal_en", 7),
            ("churn_de", 3),
            ("churn_en", 0.6),
            ("legal_portal", 2),
            ("legal_en", 0.5),
            ("business_portal", 1.5),
            ("sarcasm_de", 4),
            ("sarcasm_en", 0.4),
            ("short_de", 2),
            ("short_en", 0.5),
            ("short_nolang", 0.3),
            ("caps_portal", 1.5),
            ("typo_portal", 1.5),
            ("rant_portal", 0.8),
            ("metoo", 5),
            ("metoo_en", 0.6),
            ("followup", 3 if when >= at(12, 17) else 0),
        ]
        if when < PORTAL_UPDATE:
            mix += [("portal_silence_de", 9), ("portal_silence_en", 1.5)]
        else:
            mix += [("portal_update_de", 8), ("portal_update_en", 1.2), ("followup", 4)]
        if when >= at(13, 6):
            mix = [(name, w) for name, w in mix if name != "portal_news_de"]
            mix += [("followup", 8)]
        return mix

    def portal(self) -> None:
        windows: Windows = [
            (CRISIS_START, at(12, 15), 3),
            (at(12, 15), at(12, 16), 15),
            (at(12, 16), at(12, 17), 21),
            (at(12, 17), at(12, 18), 26),
            (at(12, 18), at(12, 19), 24),
            (at(12, 19), at(12, 20), 18),
            (at(12, 20), at(12, 21), 12),
            (at(12, 21), at(12, 22), 8),
            (at(12, 22), at(12, 23), 5),
            (at(12, 23), at(13, 0), 3),
            (at(13, 0), at(13, 7), 4),
            (at(13, 7), at(13, 9), 6),
            (at(13, 9), PORTAL_RESOLVED, 12),
        ]
        for when in self.times_in(windows):
            self.add(when, "portal", self.portal_mix(when))
        relief: Mix = [("portal_relief_de", 6), ("portal_relief_en", 1), ("portal_straggler", 2)]
        for when in self.times_in([(PORTAL_RESOLVED, at(13, 17), 8)]):
            self.add(when, "portal", relief, location_odds=0.1)
        self.fixed(
            at(12, 18, 23) + timedelta(seconds=17),
            "facebook",
            "Kevin Brandt",
            "<script>alert(1)</script> kommt das bei euch an? Euer Kundencenter jedenfalls nicht.",
            lang="de",
            pool="html",
            stream="portal",
            fb_post=FB_ESC,
        )
        self.fixed(
            at(12, 19, 12) + timedelta(seconds=44),
            "facebook",
            "Emre Kaya",
            "Müşteri hizmetlerine ulaşamıyorum, uygulama da açılmıyor. Ne oluyor?",
            lang="tr",
            pool="turkish",
            stream="portal",
            location="Köln",
            fb_post=FB_ESC,
        )

    # --- the DSL outage ------------------------------------------------------------------

    def dsl_mix(self, when: datetime) -> Mix:
        common: Mix = [
            ("dsl_en", 7),
            ("voip_de", 4),
            ("voip_en", 0.4),
            ("business_dsl", 3.5),
            ("business_en", 0.4),
            ("vulnerable_de", 1.6),
            ("vulnerable_en", 0.3),
            ("churn_de", 2.5),
            ("churn_dsl_de", 1),
            ("churn_en", 0.6),
            ("legal_dsl", 2.5),
            ("legal_en", 0.4),
            ("sarcasm_de", 3),
            ("sarcasm_dsl_de", 2),
            ("sarcasm_en", 0.4),
            ("short_de", 2.5),
            ("short_en", 0.5),
            ("short_nolang", 0.4),
            ("caps_dsl", 1.5),
            ("typo_dsl", 1.5),
            ("metoo", 6),
            ("metoo_en", 0.8),
        ]
        if when < DSL_UPDATE:
            return common + [
                ("dsl_de", 34),
                ("dsl_ort_de", 18),
                ("rant_dsl_de", 0.8),
                ("rant_dsl_en", 0.4),
                ("followup", 3 if when >= at(13, 9) else 0),
            ]
        if when < DSL_ETA:
            return common + [
                ("dsl_de", 28),
                ("dsl_ort_de", 15),
                ("dsl_update_de", 9),
                ("dsl_update_en", 1),
                ("rant_dsl_de", 0.6),
                ("followup", 7),
            ]
        if when < at(14, 7):
            return common + [
                ("dsl_eta_missed_de", 22),
                ("dsl_eta_missed_en", 1.5),
                ("dsl_de", 10),
                ("dsl_ort_de", 8),
                ("followup", 12),
            ]
        if when < DSL_MONITORING:
            return common + [
                ("dsl_day2_de", 24),
                ("dsl_day2_en", 3),
                ("dsl_ort_de", 8),
                ("dsl_de", 6),
                ("rant_sunday", 1.5),
                ("followup", 12),
            ]
        # monitoring: most lines are back, some are not
        return [
            ("dsl_monitoring_de", 22),
            ("dsl_monitoring_en", 2),
            ("dsl_relief_de", 16),
            ("dsl_relief_en", 2),
            ("dsl_day2_de", 6),
            ("grumpy_de", 8),
            ("sarcasm_de", 3),
            ("churn_de", 2),
            ("voip_de", 2),
            ("followup", 8),
        ]

    def dsl(self) -> None:
        windows: Windows = [
            (DSL_START, at(13, 8), 6),
            (at(13, 8), at(13, 9), 31),
            (at(13, 9), at(13, 10), 36),
            (at(13, 10), at(13, 11), 42),
            (at(13, 11), at(13, 12), 37),
            (at(13, 12), at(13, 13), 31),
            (at(13, 13), at(13, 14), 21),
            (at(13, 14), at(13, 15), 16),
            (at(13, 15), at(13, 16), 13),
            (at(13, 16), at(13, 17), 10),
            (at(13, 17), at(13, 18), 8),
            (at(13, 18), at(13, 19), 9),
            (at(13, 19), at(13, 20), 7),
            (at(13, 20), at(13, 21), 5),
            (at(13, 21), at(13, 22), 4),
            (at(13, 22), at(14, 0), 4),
            (at(14, 0), at(14, 7), 4),
            (at(14, 7), at(14, 8), 5),
            (at(14, 8), at(14, 9), 9),
            (at(14, 9), at(14, 10), 11),
            (at(14, 10), at(14, 11), 9),
            (at(14, 11), at(14, 12), 7),
            (at(14, 12), at(14, 13), 5),
            (at(14, 13), at(14, 15), 6),
        ]
        for when in self.times_in(windows):
            self.add(when, "internet", self.dsl_mix(when))
        after: Mix = [
            ("dsl_relief_de", 12),
            ("dsl_relief_en", 2),
            ("grumpy_de", 7),
            ("grumpy_en", 1),
        ]
        windows = [
            (DSL_RESOLVED, at(14, 16), 8),
            (at(14, 16), at(14, 18), 7),
            (at(14, 18), at(14, 23), 6),
            (at(15, 7), at(15, 10), 2),
        ]
        for when in self.times_in(windows):
            self.add(when, "internet", after, location_odds=0.15)
        self.fixed(
            at(13, 10, 12) + timedelta(seconds=8),
            "x",
            "wandsbeker_jung",
            "@nordtel <b>kein Internet</b> seit heute früh in Wandsbek!!! Formatierung geht "
            "wenigstens 🙄",
            lang="de",
            pool="html",
            stream="internet",
            location="Hamburg-Wandsbek",
        )
        self.fixed(
            at(13, 9, 41) + timedelta(seconds=29),
            "facebook",
            "Ayşe Demir",
            "İnternet yok! Sabahtan beri Altona'da internet çalışmıyor. Ne zaman düzelecek?",
            lang="tr",
            pool="turkish",
            stream="internet",
            location="Hamburg-Altona",
            fb_post=FB_ESC,
        )
        self.fixed(
            at(13, 10, 56) + timedelta(seconds=3),
            "facebook",
            "Katarzyna Wiśniewska",
            "Nie działa internet w Hamburgu od rana. Kiedy to naprawicie?",
            lang="pl",
            pool="polish",
            stream="internet",
            location="Hamburg",
            fb_post=FB_ESC,
        )

    def ads(self) -> None:
        """Sunday morning: customers fear the Mother's Day marketing post."""
        mix: Mix = [("ads_de", 9), ("ads_en", 1)]
        for when in self.times_in([(at(14, 7, 40), at(14, 10, 50), 8)]):
            self.add(when, "ads", mix, location_odds=0.1)
        self.fixed(
            at(13, 21, 47) + timedelta(seconds=31),
            "facebook",
            "Sabine Hinrichs",
            "Morgen ist Muttertag. Wehe, ihr postet hier fröhliche Werbung, solange das Internet "
            "nicht geht.",
            lang="de",
            pool="ads_de",
            stream="ads",
            fb_post=FB_ESC,
        )

    # --- posts and operator actions ------------------------------------------------------

    def scheduled(
        self,
        when: datetime,
        post_id: str,
        channel: str,
        publish_at: datetime,
        category: str,
        text: str,
    ) -> None:
        self.events.append(
            {
                "at": when.isoformat(),
                "type": "scheduled_post",
                "id": post_id,
                "channel": channel,
                "publish_at": publish_at.isoformat(),
                "text": text,
                "category": category,
            }
        )

    def operator(self, when: datetime, action: str, reason: str, **fields: Any) -> None:
        event: dict[str, Any] = {"at": when.isoformat(), "type": "operator", "action": action}
        event["actor"] = ACTOR
        event["reason"] = reason
        event.update(fields)
        self.events.append(event)

    def posts_and_operator(self) -> None:
        self.scheduled(
            at(9, 10, 15),
            "post-glasfaser",
            "facebook",
            at(10, 11),
            "marketing",
            "Jetzt auf Glasfaser umsteigen 🚀 Bis zu 200 Mbit/s, die ersten 6 Monate für 19,99 € "
            "im Monat. Verfügbarkeit prüfen und schnell sein – das Angebot gilt bis 31. Mai! "
            "#Glasfaser",
        )
        self.scheduled(
            at(10, 15, 30),
            "post-gewinnspiel",
            "x",
            at(11, 16),
            "marketing",
            "Gewinnspiel! 📱 Wir verlosen ein nagelneues Smartphone. Retweeten, @nordtel folgen "
            "und mit etwas Glück gewinnen. Teilnahmeschluss: Sonntag, 23:59 Uhr. #Gewinnspiel",
        )
        self.scheduled(
            at(11, 14, 0),
            "post-muttertag",
            "facebook",
            at(14, 9),
            "marketing",
            "Schon an Mama gedacht? 💐 Am Sonntag ist Muttertag – ruf sie an, mit der Nordtel "
            "Allnet-Flat ganz ohne Extrakosten! #Muttertag",
        )
        self.scheduled(
            at(11, 14, 6),
            "post-wochenend-deal",
            "x",
            at(14, 18),
            "marketing",
            "Schon was für die neue Woche vor? 🔥 Allnet-Flat mit 10 GB für 19,99 € im Monat – "
            "ohne Anschlussgebühr, nur online. #NordtelDeal",
        )
        self.scheduled(
            at(13, 10, 40),
            "post-stoerungsinfo",
            "facebook",
            at(13, 12),
            "service",
            "Update zur Störung: Seit Samstagmorgen haben Kundinnen und Kunden in Teilen von "
            "Hamburg und München keinen DSL-Zugang, teilweise ist auch die Festnetztelefonie "
            "betroffen. Unsere Technik arbeitet an der Behebung, wir rechnen mit einer Lösung bis "
            "heute 18 Uhr. Kundencenter und MeinNordtel-App sind nach dem Angriff vom Freitag "
            "weiterhin vorsorglich abgeschaltet. Wir melden uns hier mit neuen Infos.",
        )
        self.operator(
            PORTAL_UPDATE,
            "update_incident",
            "IT-Sicherheit bestätigt: Portal nach dem Cyberangriff vorsorglich abgeschaltet; "
            "Text mit Pressestelle abgestimmt",
            service="customer_service",
            status="identified",
            public_status="Nach einem Cyberangriff auf unsere IT haben wir Kundencenter und "
            "MeinNordtel-App vorsorglich abgeschaltet. Nach aktuellem Stand sind keine "
            "Kundendaten betroffen. Telefonie und Internet funktionieren normal; die Hotline ist "
            "stark ausgelastet. Wir rechnen damit, Kundencenter und App bis Samstag, 12 Uhr, "
            "wieder freizugeben.",
            eta=at(13, 12).isoformat(),
        )
        self.operator(
            DSL_UPDATE,
            "update_incident",
            "Netzbetrieb bestätigt Ausfall von DSL-Anschlüssen in Hamburg und München; Ursache "
            "wird untersucht",
            service="internet",
            status="identified",
            public_status="In Teilen von Hamburg und München gibt es seit Samstagmorgen eine "
            "Störung bei DSL-Anschlüssen. Auch Festnetztelefonie über den Router kann betroffen "
            "sein. Unsere Technik arbeitet an der Behebung; wir rechnen mit einer Lösung bis "
            "heute 18 Uhr.",
            eta=DSL_ETA.isoformat(),
        )
        self.operator(
            PORTAL_RESOLVED,
            "resolve_incident",
            "Systeme geprüft und wieder freigegeben",
            service="customer_service",
            public_status="Kundencenter und MeinNordtel-App sind wieder erreichbar. Nach "
            "aktuellem Stand wurden keine Kundendaten abgegriffen. Bitte ändert vorsichtshalber "
            "beim nächsten Login euer Passwort. Danke für eure Geduld!",
        )
        self.operator(
            DSL_MONITORING,
            "update_incident",
            "Netzbetrieb: Großteil der Anschlüsse wieder synchron, Restfehler werden beobachtet",
            service="internet",
            status="monitoring",
            public_status="Die DSL-Störung in Hamburg und München ist weitgehend behoben, die "
            "meisten Anschlüsse sind wieder online. Falls euer Router noch keine Verbindung hat, "
            "startet ihn bitte einmal neu. Wir beobachten die Lage weiter.",
        )
        self.operator(
            DSL_RESOLVED,
            "resolve_incident",
            "Netzbetrieb meldet alle Anschlüsse wieder synchron",
            service="internet",
            public_status="Die DSL-Störung in Hamburg und München ist behoben, alle Anschlüsse "
            "sind wieder online. Wir entschuldigen uns für die Unannehmlichkeiten; Informationen "
            "zu einer Gutschrift folgen.",
        )
        self.operator(
            at(14, 16),
            "resume_posts",
            "Störungen behoben; Deal auf Montagvormittag verschoben. Der Muttertagspost bleibt "
            "angehalten, er ist nicht mehr aktuell.",
            posts=["post-wochenend-deal"],
            publish_at=at(15, 10).isoformat(),
        )

    # --- output --------------------------------------------------------------------------

    def assign_ids(self) -> None:
        rng = self.rng
        self.drafts.sort(key=lambda d: d.at)
        used: set[str] = set()
        fb_counters: dict[str, int] = defaultdict(lambda: 1000 + rng.randrange(900))
        for draft in self.drafts:
            if draft.platform == "x":
                while True:
                    ms = int(draft.at.timestamp()) * 1000 + rng.randrange(1000)
                    snowflake = ((ms - TWITTER_EPOCH_MS) << 22) | rng.randrange(1 << 22)
                    draft.id = str(snowflake)
                    if draft.id not in used:
                        break
            else:
                post = draft.fb_post
                if post is None:
                    raise ValueError(f"Facebook comment without a post: {draft.text!r}")
                fb_counters[post] += rng.randint(1, 9)
                draft.id = f"{post}_{fb_counters[post]}"
            used.add(draft.id)

    def comment_event(self, draft: Draft) -> dict[str, Any]:
        event: dict[str, Any] = {
            "at": draft.at.isoformat(),
            "type": "comment",
            "platform": draft.platform,
            "id": draft.id,
            "author": draft.author,
            "text": draft.text,
        }
        if draft.lang is not None and not draft.omit_lang:
            event["lang"] = draft.lang
        if draft.reply_to is not None:
            event["in_reply_to"] = draft.reply_to.id
        elif draft.platform == "facebook":
            event["in_reply_to"] = draft.fb_post
        if draft.location is not None:
            event["location"] = draft.location
        return event

    def build(self) -> list[dict[str, Any]]:
        self.individual_complaints()
        self.ordinary()
        self.whatsapp()
        self.ordinary_brand_replies()
        self.portal()
        self.dsl()
        self.ads()
        self.posts_and_operator()
        self.assign_ids()
        ranked: list[tuple[datetime, int, int, dict[str, Any]]] = []
        for number, draft in enumerate(self.drafts):
            ranked.append((draft.at, 1, number, self.comment_event(draft)))
        for number, event in enumerate(self.events):
            ranked.append((datetime.fromisoformat(event["at"]), 0, number, event))
        ranked.sort(key=lambda item: item[:3])
        return [event for *_, event in ranked]


# ---------------------------------------------------------------------------------------------
# Checks and summary
# ---------------------------------------------------------------------------------------------

REQUIRED = {
    "comment": ("at", "type", "platform", "id", "author", "text"),
    "scheduled_post": ("at", "type", "id", "channel", "publish_at", "text", "category"),
    "operator": ("at", "type", "action", "actor", "reason"),
}


def validate(path: Path) -> list[dict[str, Any]]:
    """Read the file back and check it; raises ``SystemExit`` on the first broken rule."""

    def fail(number: int, why: str) -> NoReturn:
        raise SystemExit(f"{path.name}:{number}: {why}")

    def parse(number: int, value: Any, name: str) -> datetime:
        if not isinstance(value, str):
            fail(number, f"{name} is not a string")
        parsed = datetime.fromisoformat(value)
        if parsed.utcoffset() is None:
            fail(number, f"{name} has no offset")
        return parsed

    events: list[dict[str, Any]] = []
    previous: datetime | None = None
    ids: dict[str, set[str]] = defaultdict(set)
    post_ids: set[str] = set()
    texts_by_author: set[tuple[str, str]] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        event = json.loads(line)
        if not isinstance(event, dict):
            fail(number, "not an object")
        kind = event.get("type")
        if kind not in REQUIRED:
            fail(number, f"unknown type {kind!r}")
        for key in REQUIRED[kind]:
            if key not in event or event[key] in ("", None):
                fail(number, f"missing {key}")
        when = parse(number, event["at"], "at")
        if previous is not None and when < previous:
            fail(number, "not sorted by at")
        previous = when
        if kind == "comment":
            platform = event["platform"]
            if platform not in ("facebook", "x"):
                fail(number, f"bad platform {platform!r}")
            if event["id"] in ids[platform]:
                fail(number, f"duplicate id {event['id']}")
            reply = event.get("in_reply_to")
            if platform == "x":
                if not event["id"].isdigit():
                    fail(number, "X id is not numeric")
                if reply is not None and reply not in ids["x"]:
                    fail(number, f"X reply to unknown tweet {reply}")
            else:
                if reply is None:
                    fail(number, "Facebook comment without in_reply_to")
                if reply not in ids["facebook"] and reply != event["id"].split("_")[0]:
                    fail(number, f"Facebook reply to unknown comment {reply}")
            ids[platform].add(event["id"])
            pair = (event["author"], event["text"])
            if pair in texts_by_author:
                fail(number, "same author wrote the same text twice")
            texts_by_author.add(pair)
        elif kind == "scheduled_post":
            if event["id"] in post_ids:
                fail(number, f"duplicate post id {event['id']}")
            post_ids.add(event["id"])
            if parse(number, event["publish_at"], "publish_at") <= when:
                fail(number, "publish_at is not after at")
            if event["category"] not in ("marketing", "service"):
                fail(number, "bad category")
        else:
            action = event["action"]
            if action in ("update_incident", "resolve_incident", "open_incident"):
                if event.get("service") not in SERVICES:
                    fail(number, "bad service")
            elif action == "resume_posts":
                unknown = [p for p in event["posts"] if p not in post_ids]
                if unknown:
                    fail(number, f"resumes unknown posts {unknown}")
                parse(number, event["publish_at"], "publish_at")
            else:
                fail(number, f"unknown action {action!r}")
            if "eta" in event:
                parse(number, event["eta"], "eta")
        events.append(event)
    comments = [e for e in events if e["type"] == "comment"]
    if not 500 <= len(comments) <= 800:
        raise SystemExit(f"{len(comments)} comments; expected 500-800")
    return events


def summarize(events: list[dict[str, Any]], drafts: list[Draft], distinct: int) -> None:
    print(f"wrote {OUTPUT}")
    print(f"distinct hand-written texts in the pools: {distinct}")
    print("events per type:", dict(Counter(e["type"] for e in events)))
    comments = [e for e in events if e["type"] == "comment"]
    by_day = Counter(e["at"][:10] for e in comments)
    print("comments per day:", ", ".join(f"{day[5:]} {n}" for day, n in sorted(by_day.items())))
    langs = Counter(e.get("lang", "(none)") for e in comments)
    print("languages:", dict(langs.most_common()))
    customer = [d for d in drafts if not d.brand]
    english = sum(1 for d in customer if d.lang == "en" and d.at >= CRISIS_START)
    crisis = sum(1 for d in customer if d.at >= CRISIS_START)
    print(f"english share in the crisis: {english}/{crisis} = {english / crisis:.0%}")
    print("platforms:", dict(Counter(e["platform"] for e in comments)))
    with_location = sum(1 for e in comments if "location" in e)
    print(f"with location: {with_location}, brand replies: {sum(d.brand for d in drafts)}")
    print("comments per stream:", dict(Counter(d.stream for d in drafts).most_common()))
    authors = Counter(d.author for d in customer)
    print(
        f"authors: {len(authors)}, writing more than once: {sum(n > 1 for n in authors.values())}"
    )
    repeated = sum(n - 1 for n in Counter(e["text"] for e in comments).values() if n > 1)
    print(f"comments repeating an earlier text: {repeated}")
    urgent_pools = ("churn", "legal", "business", "vulnerable")
    urgent = Counter(
        next(tag for tag in urgent_pools if d.pool.startswith(tag))
        for d in customer
        if d.pool.startswith(urgent_pools)
    )
    print("urgent-pool comments:", dict(urgent))
    columns = ["portal", "internet", "phone", "ads", "relief", "ordinary"]
    print("per hour in the spikes (stream of the comment; relief = thanks after a fix):")
    print("  hour              " + " ".join(f"{c:>8}" for c in columns) + "    total")
    hourly: dict[datetime, Counter[str]] = defaultdict(Counter)
    for d in customer:
        if at(12, 14) <= d.at < at(14, 23):
            stream = d.stream
            if "relief" in d.pool:
                stream = "relief"
            elif stream in ("individual", "whatsapp"):
                stream = "ordinary"
            hourly[d.at.replace(minute=0, second=0)][stream] += 1
    for hour in sorted(hourly):
        row = hourly[hour]
        cells = " ".join(f"{row[c]:>8}" for c in columns)
        print(f"  {hour:%a %d %H:00}      {cells}    {sum(row.values()):>5}")
    for event in events:
        if event["type"] != "comment":
            fields = {k: v for k, v in event.items() if k not in ("text", "public_status")}
            print("  ", json.dumps(fields, ensure_ascii=False))


def check_text_rules() -> None:
    every = {text for pool in make_pools().values() for text in pool.texts}
    every |= set(FOLLOWUP_PORTAL_DE) | set(FOLLOWUP_DSL_DE) | set(FOLLOWUP_EN)
    unknown = [text for text in [*TIMED, *NO_INFO] if text not in every]
    if unknown:
        raise SystemExit(f"timing rules name texts no pool has: {unknown}")


def distinct_texts() -> int:
    pools: list[Sequence[str]] = [pool.texts for pool in make_pools().values()]
    pools += [
        FOLLOWUP_PORTAL_DE,
        FOLLOWUP_DSL_DE,
        FOLLOWUP_EN,
        list(BRAND_REPLIES_DE.values()),
        list(BRAND_REPLIES_EN.values()),
    ]
    return len({text for texts in pools for text in texts})


def main(argv: Sequence[str] = ()) -> int:
    check_text_rules()
    scenario = Scenario()
    events = scenario.build()
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    with OUTPUT.open("w", encoding="utf-8", newline="\n") as handle:
        for event in events:
            handle.write(json.dumps(event, ensure_ascii=False) + "\n")
    checked = validate(OUTPUT)
    summarize(checked, scenario.drafts, distinct_texts())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
