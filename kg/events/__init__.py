"""The event stage: every strike an article describes, as reports with their evidence.

``extract_reports`` reads a parsed article sentence by sentence: a sentence with a strike
trigger gives a frame (trigger, attacker, target, place, date, weapon, outcome, tolls,
source, status), and frames about the same strike are grouped into one report.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import replace

from spacy.tokens import Doc, Span, Token

from kg.entities import Analysis, EntityKind, Mention
from kg.events.arguments import (
    Context,
    argument,
    find_attacker,
    find_casualties,
    find_country,
    find_date,
    find_location,
    find_outcome,
    find_target,
    find_weapon,
    is_near,
    mention_argument,
    place_holding,
)
from kg.events.attribution import Attribution, find_attribution
from kg.events.grouping import Frame, group, more_specific
from kg.events.lexicon import CAPTION, load_lexicon, phrase_matches
from kg.events.model import Argument, Outcome, OutcomeClaim, Report
from kg.events.triggers import find_trigger, lower_lemmas
from kg.gazetteer import Gazetteer, load_gazetteer
from kg.linking import Place, link, nested_place, place_gazetteer
from kg.linking.mentions import geonames_id_of, place_key

__all__ = ["Report", "extract_reports"]

# How often a place must recur before it is taken for the main strike's place.
ARTICLE_PLACE_MIN_MENTIONS = 2
_ANAPHORIC_DETERMINERS = frozenset({"the", "this", "that", "these", "those"})
_TOWN_PARTS = frozenset({"neighborhood", "neighbourhood", "district", "quarter"})
_DISTINCT_CUES = frozenset(
    {"another", "similar", "separately", "previous", "previously", "earlier", "later", "again"}
)


def extract_reports(
    doc: Doc,
    analysis: Analysis,
    reference: datetime.date | None,
    gazetteer: Gazetteer | None = None,
) -> list[Report]:
    """Every strike the article describes, one report each, in reading order.

    Args:
        doc: the parsed article.
        analysis: its sentences and mentions (``kg.entities.analyse``).
        reference: the date relative expressions resolve against (dateline or publication).
        gazetteer: the curated actors the mentions were typed with.
    """
    lexicon = load_lexicon()
    mentions = _mentions_by_token(doc, analysis)
    ctx = Context(
        mentions,
        lexicon,
        reference,
        _focus_state(analysis),
        _monitor(analysis),
        _places(analysis),
        _sides(analysis, gazetteer or load_gazetteer()),
    )
    matches = phrase_matches(doc.vocab).find(doc)
    frames: list[Frame] = []
    source: Argument | None = None
    place: Argument | None = None
    for index, bounds in enumerate(analysis.sentences):
        sentence = doc.char_span(bounds.begin, bounds.end, alignment_mode="expand")
        if sentence is None or _is_caption(sentence, matches):
            continue  # a photo caption shows a strike the article may not be about
        found = find_trigger(sentence, lexicon, mentions)
        if found is not None:
            attribution = find_attribution(found.token, sentence, ctx, source)
            frame = _frame(index, found.token, sentence, ctx, matches, attribution)
            if found.intercepted:
                claim = OutcomeClaim(Outcome.INTERCEPTED, frame.report.trigger)
                frame = replace(frame, report=replace(frame.report, outcomes=(claim,)))
            frame = _with_place_referred_back(frame, sentence, ctx, place)
            place = frame.report.location or place
            frames.extend(_per_place(frame, doc, ctx))
            source = attribution.source or source
        else:
            source = _any_source(sentence, ctx) or source
            if frames and frames[-1].report.sentences[-1] == index - 1:
                follow_up = _follow_up(index, sentence, ctx, matches)
                if follow_up is not None:
                    frames.append(follow_up)
    facilities = [m for m in analysis.mentions if m.kind is EntityKind.FACILITY]
    reports = [
        _placed_by_facility(r, facilities, analysis) for r in group(frames, ctx.places, ctx.sides)
    ]
    if reports and reports[0].location is None:
        # The place the story was at when it told the strike; the article's own place if
        # that lies within it ("Aleppo" in the headline, "Manbij" throughout).
        location = more_specific(
            _place_just_before(reports[0], analysis, ctx),
            _article_place(analysis, ctx),
            ctx.places,
        )
        reports[0] = replace(reports[0], location=location)
    return [_with_damage(report) for report in reports]


def _is_caption(sentence: Span, matches: list[tuple[str, Span]]) -> bool:
    """ "In this photo taken on June 8 ... (AP photo)": a caption, not the news."""
    return any(
        label == CAPTION and sentence.start <= span.start < sentence.end for label, span in matches
    )


def _place_just_before(report: Report, analysis: Analysis, ctx: Context) -> Argument | None:
    """The one place the sentence right before a strike's first tells of ("30 soldiers were
    killed in battles around Al Maleh. Rebels attacked them with two car bombs.")."""
    before = report.sentences[0] - 1
    places = [
        m
        for m in analysis.mentions
        if m.sentence == before and m.kind is EntityKind.PLACE and m.key in ctx.places
    ]
    return mention_argument(places[0]) if len(places) == 1 else None


def _article_place(analysis: Analysis, ctx: Context) -> Argument | None:
    """The place an article keeps returning to (its dateline town, its headline city): where
    its main strike hit when the sentences about it name none."""
    counts = Counter(
        m.key for m in analysis.mentions if m.key in ctx.places and not ctx.places[m.key].is_admin1
    )
    if not counts:
        return None
    key, n = counts.most_common(1)[0]
    if n < ARTICLE_PLACE_MIN_MENTIONS:
        return None
    first = next(m for m in analysis.mentions if m.key == key)
    return Argument((first.begin, first.end), first.text, key)


def _placed_by_facility(report: Report, facilities: list[Mention], analysis: Analysis) -> Report:
    """A strike on "the al-Safira complex" hit al-Safira: when no place is named, the place a
    facility's name holds is the strike's, taken from the target or the evidence."""
    if report.location is not None:
        return report
    spans = [analysis.sentences[i] for i in report.sentences]
    named = [f for f in facilities if any(s.begin <= f.begin < s.end for s in spans)]
    if report.target is not None and report.target.entity is not None:
        named = [f for f in facilities if f.key == report.target.entity][:1] + named
    for facility in named:
        inner = nested_place(facility.name) or nested_place(facility.text)
        place = link(inner) if inner else None
        if place is not None and not place.is_country:
            location = Argument((facility.begin, facility.end), facility.text, place_key(place))
            return replace(report, location=location)
    return report


def _with_place_referred_back(
    frame: Frame, sentence: Span, ctx: Context, previous: Argument | None
) -> Frame:
    """ "in the same square", "the suburb", "the west of the province", "al-Hamidiyeh
    neighbourhood": the place named last (a province for "the province"), when the
    sentence names none of its own."""
    if frame.report.location is not None:
        return frame
    for token in sentence:
        definite = any(
            c.dep_ in {"det", "poss"} and c.lower_ in {"the", "its", "this"} for c in token.children
        )
        lemma = token.lemma_.lower()
        # "al-Hamidiyeh neighbourhood": a named part of the town named before
        named_part = lemma in _TOWN_PARTS and any(c.dep_ == "compound" for c in token.children)
        if (definite and lemma in ctx.lexicon.place_nouns) or named_part:
            division = token.lemma_.lower() in {"province", "governorate"}
            place = _last_place(sentence.start, ctx, division) if division else previous
            place = place or previous
            if place is not None:
                return replace(frame, report=replace(frame.report, location=place))
    return frame


def _last_place(before: int, ctx: Context, division: bool) -> Argument | None:
    """The last place named before token ``before`` (a first-level division if asked)."""
    for index in range(before - 1, -1, -1):
        mention = ctx.mentions.get(index)
        if mention is None or mention.kind is not EntityKind.PLACE:
            continue
        place = ctx.places.get(mention.key)
        if place is not None and place.is_admin1 == division:
            return Argument((mention.begin, mention.end), mention.text, mention.key)
    return None


def _per_place(frame: Frame, doc: Doc, ctx: Context) -> list[Frame]:
    """One frame per place when the sentence strikes several ("air strikes against the town
    of Saraqeb and the village of Sheikh Mustafa"): each is a strike of its own."""
    location = frame.report.location
    if location is None:
        return [frame]
    span = doc.char_span(*location.span, alignment_mode="expand")
    if span is None:
        return [frame]
    others = []
    heads = [span.root]
    while heads[-1].dep_ in {"pobj", "prep"} and len(heads) < 4:
        heads.append(heads[-1].head)  # "the town of X" coordinates "the town", not X
    for token in (c for head in heads for c in head.conjuncts):
        mention = ctx.mentions.get(token.i)
        if mention is None and token.dep_ == "conj":
            # "the town of X and the village of Y": the place hangs under the place noun.
            mention = next(
                (
                    ctx.mentions[t.i]
                    for t in token.subtree
                    if t.i in ctx.mentions and ctx.mentions[t.i].kind is EntityKind.PLACE
                ),
                None,
            )
        if (
            mention is not None
            and mention.kind is EntityKind.PLACE
            and mention.key != location.entity
        ):
            others.append(mention)
    if not others:
        return [frame]
    extra = [
        replace(
            frame,
            report=replace(frame.report, location=Argument((m.begin, m.end), m.text, m.key)),
            distinct=True,
        )
        for m in dict((m.key, m) for m in others).values()
    ]
    return [frame, *extra]


def _follow_up(
    index: int, sentence: Span, ctx: Context, matches: list[tuple[str, Span]]
) -> Frame | None:
    """A sentence right after a strike that tells only its outcome or toll ("Satellite
    images confirm the destruction of one building") belongs to that strike."""
    outcome = find_outcome(sentence, matches)
    killed, injured = find_casualties(sentence, ctx)
    words = outcome[1] if outcome else (killed or injured or (None, None))[1]
    if words is None:
        return None
    report = Report(
        sentences=(index,),
        trigger=words,
        outcomes=(OutcomeClaim(*outcome),) if outcome else (),
        killed=killed[0] if killed else None,
        killed_span=killed[1] if killed else None,
        injured=injured[0] if injured else None,
        injured_span=injured[1] if injured else None,
        confidence=0.4,
    )
    return Frame(report, anaphoric=True, follow_up=True, place=_toll_place(sentence, killed, ctx))


def _toll_place(sentence: Span, toll: tuple[int, Argument] | None, ctx: Context) -> Argument | None:
    """Where a toll was taken ("30 jihadists were killed around the town of Shadadi"): the
    place of the verb that counts the dead or wounded."""
    if toll is None:
        return None
    number = sentence.doc.char_span(*toll[1].span, alignment_mode="expand")
    if number is None:
        return None
    verb = number.root
    words = ctx.lexicon.toll_words
    while verb.lemma_.lower() not in words and verb.head.i != verb.i:
        verb = verb.head
    return find_location(verb, sentence, ctx, None) if verb.lemma_.lower() in words else None


def _frame(
    index: int,
    trigger: Token,
    sentence: Span,
    ctx: Context,
    matches: list[tuple[str, Span]],
    attribution: Attribution,
) -> Frame:
    target, target_kind, place_hint = find_target(trigger, ctx)
    weapon = find_weapon(trigger, sentence, ctx, matches)
    outcome = find_outcome(sentence, matches)
    killed, injured = find_casualties(sentence, ctx)
    attacker = find_attacker(trigger, ctx)
    location = find_location(trigger, sentence, ctx, place_hint)
    report = Report(
        sentences=(index,),
        trigger=argument(trigger),
        kind=ctx.lexicon.strike_kind(weapon[0] if weapon else None, trigger.lemma_),
        attacker=attacker,
        target=target,
        target_kind=target_kind,
        location=location,
        near=location is not None and is_near(sentence.doc, location),
        within=place_holding(location, sentence, ctx),
        country=find_country(trigger, sentence, ctx),
        date=find_date(trigger, sentence, ctx),
        weapon=weapon[0] if weapon else None,
        weapon_span=weapon[1] if weapon else None,
        outcomes=(OutcomeClaim(*outcome),) if outcome else (),
        killed=killed[0] if killed else None,
        killed_span=killed[1] if killed else None,
        injured=injured[0] if injured else None,
        injured_span=injured[1] if injured else None,
        attributed_to=attribution.source,
        status=attribution.status,
        status_span=attribution.cue,
        confidence=_confidence(trigger, attacker, weapon is not None, ctx),
    )
    return Frame(report, _anaphoric(trigger), _announces_another(sentence, trigger))


def _anaphoric(trigger: Token) -> bool:
    """ "the attack", "Tuesday's bombing": a strike already introduced."""
    if trigger.pos_ not in {"NOUN", "PROPN"}:
        return False
    return any(
        (c.dep_ == "det" and c.lower_ in _ANAPHORIC_DETERMINERS) or c.dep_ == "poss"
        for c in trigger.lefts
    )


def _with_damage(report: Report) -> Report:
    """A strike that killed or wounded people did damage, unless the text says more."""
    if report.outcomes or (report.killed is None and report.injured is None):
        return report
    claim = OutcomeClaim(Outcome.DAMAGED, report.killed_span or report.injured_span)
    return replace(report, outcomes=(claim,))


def _announces_another(sentence: Span, trigger: Token) -> bool:
    """ "another car bomb", "a similar bombing", "shells later hit", "Separately, ...": a
    new strike. The cue must qualify the strike itself: in "Earlier, state television said
    a research centre was hit" it dates the telling."""
    verb = trigger.pos_ in {"VERB", "AUX"}
    governing = {trigger.i} if verb else {trigger.i, trigger.head.i}
    # "said earlier that ... struck": before the "that", the cue is the telling's
    opening = min((c.i for c in trigger.children if c.dep_ == "mark"), default=-1)
    return any(
        t.lower_ in _DISTINCT_CUES
        and (t.lower_ == "separately" or (t.head.i in governing and t.i > opening))
        for t in sentence
    )


def _confidence(trigger: Token, attacker: Argument | None, has_weapon: bool, ctx: Context) -> float:
    """The extractor's own score: a strong trigger and found arguments raise it."""
    lemma = trigger.lemma_.lower()
    weak = lemma in ctx.lexicon.weak_verbs | ctx.lexicon.weak_nouns
    score = (
        0.45 + (0.0 if weak else 0.2) + (0.15 if attacker else 0.0) + (0.1 if has_weapon else 0.0)
    )
    return round(min(score, 0.95), 2)


def _mentions_by_token(doc: Doc, analysis: Analysis) -> dict[int, Mention]:
    index: dict[int, Mention] = {}
    for mention in analysis.mentions:
        span = doc.char_span(mention.begin, mention.end, alignment_mode="expand")
        if span is not None:
            for token in span:
                index[token.i] = mention
    return index


def _focus_state(analysis: Analysis) -> str | None:
    """The state the article is mostly about: "the regime" is its government."""
    states = Counter(m.key for m in analysis.mentions if m.kind is EntityKind.STATE)
    return states.most_common(1)[0][0] if states else None


def _sides(analysis: Analysis, gazetteer: Gazetteer) -> dict[str, str]:
    return {m.key: side for m in analysis.mentions if (side := gazetteer.side(m.key)) is not None}


def _places(analysis: Analysis) -> dict[str, Place]:
    """The GeoNames places of the article's linked place mentions."""
    gazetteer = place_gazetteer()
    found = {}
    for mention in analysis.mentions:
        geonames_id = geonames_id_of(mention.key)
        if mention.kind is EntityKind.PLACE and geonames_id is not None:
            place = gazetteer.place(geonames_id)
            if place is not None:
                found[mention.key] = place
    return found


def _monitor(analysis: Analysis) -> Argument | None:
    """The organisation the article names most: what "a monitor" refers to."""
    organisations = [m for m in analysis.mentions if m.kind is EntityKind.ORGANIZATION]
    if not organisations:
        return None
    key, _ = Counter(m.key for m in organisations).most_common(1)[0]
    first = next(m for m in organisations if m.key == key)
    return Argument((first.begin, first.end), first.text, first.key)


def _any_source(sentence: Span, ctx: Context) -> Argument | None:
    """A named source in a sentence without a strike, for a later "it said"."""
    lemmas = lower_lemmas(sentence.doc)
    for i in range(sentence.start, sentence.end):
        if lemmas[i] in ctx.lexicon.reporting_verbs:
            token = sentence.doc[i]
            for child in token.children:
                mention = ctx.mentions.get(child.i)
                if (
                    child.dep_ == "nsubj"
                    and mention is not None
                    and mention.kind is EntityKind.ORGANIZATION
                ):
                    return Argument((mention.begin, mention.end), mention.text, mention.key)
    return None
