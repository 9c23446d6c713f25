"""Finding the words that say a strike happened, and rejecting those that do not.

A sentence's trigger is a strike noun ("air strike", "shelling", "car bomb") or a strike verb
("hit", "shelled", "fired missiles") whose use the parse confirms. Weak words ("attack",
"hit", "fire", "explosion") count only with force around them: a weapon, an armed actor as
subject, or a strike noun nearby. Plans, threats, negations, hypotheticals and habitual or
generic statements ("Israel has regularly struck...", "would step up its campaign") are not
strikes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from spacy.attrs import LEMMA
from spacy.tokens import Doc, Span, Token

from kg.entities import EntityKind, Mention, document_text
from kg.events.lexicon import Lexicon
from kg.timex import MONTHS, parse_date_expression

ARMED = frozenset({EntityKind.STATE, EntityKind.ARMED_FORCE, EntityKind.ARMED_GROUP})
_SUBJECTS = frozenset({"nsubj", "nsubjpass", "csubj"})
_OBJECTS = frozenset({"dobj", "obj", "attr", "oprd"})


@dataclass(frozen=True)
class Trigger:
    """The words saying a strike happened; ``intercepted`` when the sentence says it was
    thwarted or shot down ("air defences thwarted an Israeli missile attack")."""

    token: Token
    intercepted: bool = False


def find_trigger(sentence: Span, lexicon: Lexicon, mentions: dict[int, Mention]) -> Trigger | None:
    """The main strike trigger of a sentence, or ``None`` if it reports no strike.

    Strong verbs come first (they carry the arguments), then strong nouns, then weak
    words that the parse confirms, each in reading order.
    """
    doc = sentence.doc
    lemmas = lower_lemmas(doc)
    # Only the words whose lemma could make a trigger become tokens: most sentences have none.
    triggers = lexicon.trigger_verbs | lexicon.trigger_nouns | _STRIKE_COMPOUNDS
    words = [doc[i] for i in range(tag_list_end(sentence), sentence.end) if lemmas[i] in triggers]
    verbs = [
        t for t in words if t.pos_ in {"VERB", "AUX"} and t.lemma_.lower() in lexicon.trigger_verbs
    ]
    nouns = [
        t
        for t in words
        # "Syrian regime airstrikes kill 22": a headline's noun the model took for a verb
        if (t.pos_ in {"NOUN", "PROPN"} or t.lemma_.lower() in _STRIKE_COMPOUNDS)
        and _noun_lemma(t) in lexicon.trigger_nouns
    ]
    weak = lexicon.weak_verbs | lexicon.weak_nouns
    ranked = [
        *(t for t in verbs if t.lemma_.lower() not in weak),
        *(t for t in nouns if _noun_lemma(t) not in weak and t.dep_ != "compound"),
        *(t for t in verbs if t.lemma_.lower() in weak),
        *(t for t in nouns if _noun_lemma(t) in weak or t.dep_ == "compound"),
    ]
    for token in ranked:
        intercepted = _intercepted_strike(token, lexicon)
        if intercepted is not None:
            return Trigger(intercepted, intercepted=True)
        if _is_strike_use(token, lexicon, mentions) and not is_blocked(token, lexicon):
            return Trigger(token)
    return None


def _intercepted_strike(verb: Token, lexicon: Lexicon) -> Token | None:
    """For "thwarted an attack" / "shot down missiles", the strike noun that was stopped."""
    if verb.pos_ not in {"VERB", "AUX"} or verb.lemma_.lower() not in lexicon.intercept_verbs:
        return None
    for child in verb.children:
        if child.dep_ in {"dobj", "nsubjpass"}:
            lemma = child.lemma_.lower()
            if lemma in lexicon.trigger_nouns or lexicon.weapon_of(lemma) is not None:
                return child
    return None


def tag_list_end(sentence: Span) -> int:
    """Where a web page's tag list ends ("Tags Syria Idlib Zabadani airstrikes A double
    suicide bombing ..."): at the first article, preposition, number or run of spaces after
    "Tags", which start the story; the sentence's start when it has no tags. Tags are
    keywords: no strike and no place of one."""
    if "Tags" not in document_text(sentence.doc)[sentence.start_char : sentence.end_char]:
        return sentence.start
    start = next((t.i for t in sentence if t.text == "Tags"), None)
    if start is None:
        return sentence.start
    return next(
        (
            t.i
            for t in sentence.doc[start + 1 : sentence.end]
            if t.pos_ in {"DET", "ADP", "NUM", "SPACE"} or t.like_num
        ),
        sentence.start,  # no story after the tags: nothing to set aside
    )


_STRIKE_COMPOUNDS = frozenset({"airstrike", "air-strike", "airraid"})


# Of the document being read: spaCy builds ``Doc.ents`` anew, from every token, on each
# access.
@lru_cache(maxsize=1)
def _entities(doc: Doc) -> tuple[Span, ...]:
    return tuple(doc.ents)


def entities_within(sentence: Span) -> list[Span]:
    """The document's named entities that lie wholly in the sentence (``Span.ents``,
    without reading each token of the sentence)."""
    return [
        e for e in _entities(sentence.doc) if sentence.start <= e.start and e.end <= sentence.end
    ]


@lru_cache(maxsize=1)
def lower_lemmas(doc: Doc) -> list[str]:
    """Every token's lemma in lower case, read once per document (the cache holds the
    document being read) instead of making a token object per word per question."""
    strings = doc.vocab.strings
    return [strings[lemma].lower() for lemma in doc.to_array([LEMMA]).tolist()]


def _noun_lemma(token: Token) -> str:
    lemma = token.lemma_.lower()
    return "strike" if lemma in _STRIKE_COMPOUNDS else lemma


def _is_strike_use(token: Token, lexicon: Lexicon, mentions: dict[int, Mention]) -> bool:
    lemma = token.lemma_.lower()
    if token.pos_ in {"VERB", "AUX"}:
        if lemma == "shoot" and not any(c.lower_ == "down" for c in token.children):
            return False
        if lemma not in lexicon.weak_verbs:
            return True
        return _forceful_verb(token, lexicon, mentions)
    if lemma not in lexicon.weak_nouns:
        return not _is_ground_strike(token)
    return _forceful_noun(token, lexicon, mentions)


def _is_ground_strike(token: Token) -> bool:
    # "hunger strike", "general strike" are not attacks.
    return any(c.lower_ in {"hunger", "general", "labour", "labor", "worker"} for c in token.lefts)


def _forceful_verb(verb: Token, lexicon: Lexicon, mentions: dict[int, Mention]) -> bool:
    """A weak verb ("hit", "fire") is a strike when weapons or armed actors do it; "kill"
    only when a weapon or a strike does ("Syrian warplanes killed 12 civilians")."""
    if verb.lemma_.lower() in {"explode", "blow", "detonate"}:
        # "the car blew up", "a device exploded": what went off carried the explosives.
        carriers = [t for t in _role_tokens(verb, _SUBJECTS | _OBJECTS)]
        if any(t.lemma_.lower() in lexicon.explosive_carriers for t in carriers):
            return True
    around = [*_role_tokens(verb, _SUBJECTS | {"agent"}), *_role_tokens(verb, _OBJECTS)]
    for token in around:
        if _names_weapon_or_strike(token, lexicon):
            return True
    if verb.lemma_.lower() == "kill":
        # "warplanes killed 12", "the Aerospace Forces killed 304" are strikes; "the army
        # killed 40" may be none
        return any(_air_force(t, lexicon) for t in _role_tokens(verb, _SUBJECTS))
    subjects = list(_role_tokens(verb, _SUBJECTS))
    objects = list(_role_tokens(verb, _OBJECTS | {"pobj"}))
    armed_subject = any(mentions.get(t.i) and mentions[t.i].kind in ARMED for t in subjects)
    armed_subject |= any(_generic_actor(t, lexicon) for t in subjects)
    return (
        armed_subject
        and bool(objects)
        and verb.lemma_.lower() in {"hit", "target", "attack", "destroy"}
    )


def _air_force(subject: Token, lexicon: Lexicon) -> bool:
    """Whether the subject is an air force ("the Russian Aerospace Forces", "the army's air
    force"), whose killing is done from the air."""
    words = [t for t in subject.subtree if t.i <= subject.i]
    return any(lexicon.weapon_of(t.lemma_.lower()) is not None for t in words) or any(
        a.lower_ == "air" and b.lemma_.lower() == "force" for a, b in pairwise(words)
    )


def _forceful_noun(noun: Token, lexicon: Lexicon, mentions: dict[int, Mention]) -> bool:
    """A weak noun ("attack", "blast") is a strike with a weapon, an attacker, a facility
    struck, or a toll around it."""
    modifiers = [t for t in noun.subtree if noun.i - 4 <= t.i < noun.i]
    if any(_names_weapon_or_strike(t, lexicon) for t in modifiers):
        return True
    named = [mentions[t.i].kind for t in modifiers if t.i in mentions]
    if any(kind in ARMED or kind is EntityKind.FACILITY for kind in named):
        return True  # "an Israeli attack", "the T-4 attack"
    if any(t.lower_ in {"terrorist", "suicide", "chemical", "gas"} for t in modifiers):
        return True
    deadly_words = lexicon.toll_words | {"hit", "strike", "target", "rock"}
    heads = [noun.head, noun.head.head]
    deadly = any(h.lemma_.lower() in deadly_words for h in heads)
    physical = {"blast", "explosion", "bomb", "missile", "rocket", "shell", "mortar"}
    return (deadly and (noun.lemma_.lower() in physical or noun.dep_ == "pobj")) or (
        noun.lemma_.lower() in physical and noun.dep_ in _SUBJECTS
    )


def _names_weapon_or_strike(token: Token, lexicon: Lexicon) -> bool:
    lemma = token.lemma_.lower()
    strong = lexicon.trigger_nouns - lexicon.weak_nouns
    return (
        lexicon.weapon_of(lemma) is not None
        or lemma in strong
        or lemma in {"missile", "rocket", "bomb", "shell"}
    )


def _generic_actor(token: Token, lexicon: Lexicon) -> bool:
    return any(token.lower_ in words for words in lexicon.generic_actors.values())


def _role_tokens(verb: Token, deps: Iterable[str]) -> Iterable[Token]:
    wanted = set(deps)
    for child in verb.children:
        if child.dep_ in wanted:
            yield child
            if child.dep_ == "agent":
                yield from (g for g in child.children if g.dep_ == "pobj")
        elif child.dep_ == "prep" and "pobj" in wanted:
            yield from (g for g in child.children if g.dep_ == "pobj")
    raised = verb.dep_ in {"conj", "xcomp"} and not any(c.dep_ in _SUBJECTS for c in verb.children)
    if raised and wanted & _SUBJECTS:
        # "jets struck the base and destroyed hangars", "jets are believed to have hit":
        # the subject of the governing verb is this verb's too.
        yield from (c for c in verb.head.children if c.dep_ in _SUBJECTS)


def is_blocked(trigger: Token, lexicon: Lexicon) -> bool:
    """Whether the trigger is negated, hypothetical, planned, threatened or generic."""
    if _planned(trigger, lexicon):
        return True
    verb = _governing_verb(trigger)
    if verb is not None:
        if any(c.dep_ == "neg" for c in verb.children):
            return True
        if any(c.dep_ == "aux" and c.lower_ in lexicon.modal_blockers for c in verb.children):
            return True
        if _under_plan(verb, lexicon) and not _dated_by_possessive(trigger):
            return True
    return _is_generic(trigger, verb, lexicon)


def _governing_verb(token: Token) -> Token | None:
    """The trigger itself if a verb, else the verb its noun phrase depends on."""
    current = token
    for _ in range(4):
        if current.pos_ in {"VERB", "AUX"}:
            return current
        if current.head == current:
            return None
        current = current.head
    return None


def _planned(trigger: Token, lexicon: Lexicon) -> bool:
    """A strike a plan, threat or request is about ("Obama's plan for Syria strikes", "a
    request for authorization for military strikes")."""
    current = trigger
    for _ in range(4):
        if current.dep_ not in {"pobj", "prep", "compound"} or current.head == current:
            return False
        current = current.head
        if current.pos_ == "NOUN" and current.lemma_.lower() in lexicon.plan_nouns:
            return True
    return False


def _dated_by_possessive(trigger: Token) -> bool:
    """ "Tuesday's strike": a strike that happened, whatever is vowed or planned about it
    ("rebels vowed revenge for Tuesday's strike")."""
    return any(c.dep_ == "poss" and c.ent_type_ in {"DATE", "TIME"} for c in trigger.lefts)


def _under_plan(verb: Token, lexicon: Lexicon) -> bool:
    current = verb
    for _ in range(4):
        if current.lemma_.lower() in lexicon.plan_verbs:
            return True
        if current.dep_ not in {"xcomp", "ccomp", "dobj", "pobj", "pcomp", "prep", "advcl", "conj"}:
            return False
        current = current.head
    return False


def _counted(trigger: Token) -> bool:
    if trigger.pos_ not in {"NOUN", "PROPN"}:
        return False
    for child in trigger.children:
        if child.dep_ == "nummod" and child.like_num and not day_of_month(child):
            text = child.lower_.replace(",", "")
            if text.isdigit() and int(text) > 2:
                return True
    return False


def _tells_a_toll(sentence: Span, lexicon: Lexicon) -> bool:
    """Whether the sentence gives a number of dead or wounded ("the death of five")."""
    return any(t.lemma_.lower() in lexicon.toll_words for t in sentence) and any(
        t.like_num and t.ent_type_ == "CARDINAL" and not day_of_month(t) for t in sentence
    )


def day_of_month(number: Token) -> bool:
    """ "7 Jun 2016 - air strikes kill...": a dateline's day, not a count of strikes."""
    following = number.nbor(1) if number.i + 1 < len(number.doc) else None
    return following is not None and following.lower_.rstrip(".") in MONTHS


def _is_generic(trigger: Token, verb: Token | None, lexicon: Lexicon) -> bool:
    """Habitual or generic statements ("has regularly struck", "many raids").

    A day ("on Monday", "May 4") or a casualty figure makes such a sentence specific.
    """
    if _counted(trigger):
        # "135 strikes on clinics last year": a statistic, not a strike; "a total of 18
        # airstrikes in the Houla region ... leading to the death of five": one raid's toll
        return not _tells_a_toll(trigger.sent, lexicon)
    markers = [c for c in trigger.children if c.lower_ in lexicon.generic_markers]
    if verb is not None:
        markers += [
            c for c in verb.children if c.dep_ == "advmod" and c.lower_ in lexicon.generic_markers
        ]
        # "in the past", "over the years": a habit, not an event
        markers += [
            g
            for c in verb.children
            if c.dep_ == "prep"
            for g in c.children
            if g.dep_ == "pobj" and g.lower_ in lexicon.generic_markers
        ]
    if not markers:
        return False
    sentence = trigger.sent
    for entity in entities_within(sentence):
        if entity.label_ == "DATE":
            partial = parse_date_expression(entity.text)
            if partial is not None and (partial.day is not None or partial.weekday is not None):
                return False
    return not any(t.like_num and t.ent_type_ == "CARDINAL" for t in sentence)
