"""The region gazetteer on comments and location fields as customers write them."""

from __future__ import annotations

import time

import pytest

from crisis.detection.regions import CITIES, STATES, find_regions, known_regions


@pytest.mark.parametrize(
    ("text", "regions"),
    [
        ("Kein DSL in München seit heute früh", ["München"]),
        ("Internet down in Munich", ["München"]),
        ("Störung in Muenchen?", ["München"]),
        ("munchen kein netz", ["München"]),
        ("Köln, Cologne, Koeln: alles tot", ["Köln"]),
        ("Outage in Nuremberg and Nürnberg", ["Nürnberg"]),
        ("Frankfurt hat kein Netz", ["Frankfurt am Main"]),
        ("Frankfurt am Main, Frankfurt/Main", ["Frankfurt am Main"]),
        ("Frankfurt (Oder) ohne Internet", ["Frankfurt (Oder)"]),
        ("Frankfurt oder Köln, wo ist es schlimmer?", ["Frankfurt am Main", "Köln"]),
        ("Düsseldorf und Duesseldorf und Dusseldorf", ["Düsseldorf"]),
        ("Kein Netz in Hannover, Bremen und Kiel", ["Hannover", "Bremen", "Kiel"]),
        ("Halle (Saale) seit Stunden offline", ["Halle (Saale)"]),
    ],
)
def test_city_names_and_their_spellings_give_the_canonical_name(
    text: str, regions: list[str]
) -> None:
    assert find_regions(text) == regions


@pytest.mark.parametrize(
    ("text", "regions"),
    [
        ("Ganz Bayern ohne Netz?", ["Bayern"]),
        ("Outage all over Bavaria", ["Bayern"]),
        ("NRW ist betroffen", ["Nordrhein-Westfalen"]),
        (
            "Sachsen-Anhalt, Niedersachsen und Sachsen",
            ["Sachsen-Anhalt", "Niedersachsen", "Sachsen"],
        ),
        ("Baden-Württemberg und Thüringen", ["Baden-Württemberg", "Thüringen"]),
        (
            "Schleswig-Holstein, Mecklenburg-Vorpommern",
            ["Schleswig-Holstein", "Mecklenburg-Vorpommern"],
        ),
    ],
)
def test_states_are_found_in_german_and_english(text: str, regions: list[str]) -> None:
    assert find_regions(text) == regions


@pytest.mark.parametrize(
    ("text", "city"),
    [
        ("Kein DSL in Hamburg-Altona", "Hamburg"),
        ("Altona seit 7 Uhr offline", "Hamburg"),
        ("Eimsbüttel ohne Internet", "Hamburg"),
        ("In Eimsbuettel auch", "Hamburg"),
        ("Auch betroffen. – St. Pauli", "Hamburg"),
        ("Schwabing: kein Internet", "München"),
        ("Giesing auch", "München"),
        ("Pasing seit 7:40 offline", "München"),
        ("Berlin-Mitte ohne Netz", "Berlin"),
        ("Kreuzberg ist tot", "Berlin"),
        ("Prenzlauer Berg hat kein Netz", "Berlin"),
        ("Neukoelln auch", "Berlin"),
    ],
)
def test_districts_count_as_their_city(text: str, city: str) -> None:
    assert find_regions(text) == [city]


def test_mentions_are_deduplicated_in_order_of_first_mention() -> None:
    text = "Altona, Schwabing, Hamburg, Giesing und nochmal Hamburg-Eimsbüttel"
    assert find_regions(text) == ["Hamburg", "München"]


def test_location_metadata_counts_after_the_text() -> None:
    assert find_regions("Kein DSL in Köln", "Munich, Bavaria") == ["Köln", "München", "Bayern"]
    assert find_regions("Kein DSL", "Hamburg-Altona, Deutschland") == ["Hamburg"]
    assert find_regions("Kein DSL in Hamburg", "Hamburg") == ["Hamburg"]
    assert find_regions("Kein DSL", None) == []


@pytest.mark.parametrize(
    "text",
    [
        "Wir wollten essen gehen, aber der Tisch war weg",
        "Das Essen war kalt",
        "Essen ist fertig!",
        "Die Halle war voll",
        "Wir werden siegen!",
        "Our wedding is next week",
        "Die Hamburger schmecken bei euch besser",
        "Berliner und Frankfurter zum Frühstück",
        "Ulmer Spatz und Kielwasser",
        "In der Mitte des Raumes",
    ],
)
def test_ordinary_words_that_look_like_places_are_not_regions(text: str) -> None:
    assert find_regions(text) == []


@pytest.mark.parametrize(
    ("text", "regions"),
    [
        ("Störung in Essen?", ["Essen"]),
        ("Kein Netz aus Essen", ["Essen"]),
        ("#Essen kein DSL", ["Essen"]),
        ("45127 Essen: Internet weg", ["Essen"]),
        ("Essen-Rüttenscheid ohne Internet", ["Essen"]),
        ("Bei uns im Wedding geht nichts", ["Berlin"]),
        ("Störung in Halle?", ["Halle (Saale)"]),
    ],
)
def test_ambiguous_names_count_where_placed_like_a_place(text: str, regions: list[str]) -> None:
    assert find_regions(text) == regions


def test_ambiguous_name_counts_in_the_location_field() -> None:
    assert find_regions("Kein Internet seit heute", "Essen") == ["Essen"]
    assert find_regions("Kein Internet seit heute", "essen") == ["Essen"]


def test_gazetteer_covers_the_big_cities_and_all_states() -> None:
    regions = set(known_regions())
    assert len(CITIES) >= 40
    assert set(STATES) <= regions
    assert {"Berlin", "Hamburg", "Bremen"} <= regions  # the city states
    assert {"Dortmund", "Leipzig", "Bielefeld", "Gelsenkirchen", "Chemnitz", "Kassel"} <= regions
    assert len(STATES) + 3 == 16


@pytest.mark.parametrize("text", ["", "   ", "😡😡😡", "<b></b>", "Интернет Москва", "???"])
def test_text_without_places_gives_no_regions(text: str) -> None:
    assert find_regions(text, "") == []


def test_huge_text_is_fast_and_still_finds_an_early_place() -> None:
    text = "Kein Internet in Hamburg. " + "Bla bla Essen bla. " * 20_000
    started = time.perf_counter()
    assert find_regions(text) == ["Hamburg"]
    assert time.perf_counter() - started < 1.0
