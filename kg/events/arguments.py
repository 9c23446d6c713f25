"""The arguments of a strike in one sentence, read off the dependency parse.

Each finder starts from the trigger and follows the parse: the attacker is the subject of an
active strike verb, the agent of a passive one ("by X") or a modifier of a strike noun
("Israeli jets", "US missile strike"); the target is the object or the "on/against/at"
phrase; the location the place of an "in/near/at" phrase or inside the target's name.
Every argument keeps the characters it came from.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from kg.entities import SETTLEMENT_NOUNS, EntityKind, Mention
from kg.events.lexicon import Lexicon
from kg.events.model import Argument, DateArgument, Outcome, Precision, Weapon
from kg.events.triggers import day_of_month, entities_within, tag_list_end
from kg.linking.geonames import Place
from kg.timex import CLOCK_WORDS, parse_date_expression, resolve

ARMED = frozenset({EntityKind.STATE, EntityKind.ARMED_FORCE, EntityKind.ARMED_GROUP})
SOURCES = frozenset({*ARMED, EntityKind.ORGANIZATION, EntityKind.PERSON})
PLACE_PREPS = frozenset(
    {"in", "near", "at", "outside", "around", "on", "into", "across", "inside", "of"}
)
TARGET_PREPS = frozenset({"on", "against", "at", "targeting", "into", "toward", "towards"})
REGION_WORDS = frozenset(
    "heights plateau valley mountains mountain plain plains desert river basin coast".split()
)
ADMIN_WORDS = frozenset({"province", "governorate", "countryside", "region", "rural", "outskirts"})
NUMBER_WORDS = {
    word: value
    for value, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
} | {
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
    "a dozen": 12,
    "dozen": 12,
}
_SUBJECTS = frozenset({"nsubj", "nsubjpass"})
UNKNOWN_POPULATION = 50_000
# Weapons further than this many tokens from the trigger belong to another clause.
WEAPON_WINDOW = 8


@dataclass(frozen=True)
class Context:
    """What the finders need besides the sentence.

    Attributes:
        mentions: entity mentions by token index.
        lexicon: the strike lexicon.
        reference: the article's reference date (dateline or publication date).
        focus_state: key of the state the article is mostly about, which "the regime" and
            "government forces" name.
        monitor: the organisation the article cites most, which "a monitor" and "the
            group" name.
        places: the GeoNames places of the article's linked place mentions, by key.
        sides: the country each state or armed force named fights for, by key.
    """

    mentions: dict[int, Mention]
    lexicon: Lexicon
    reference: datetime.date | None
    focus_state: str | None
    monitor: Argument | None = None
    places: Mapping[str, Place] = field(default_factory=dict)
    sides: Mapping[str, str] = field(default_factory=dict)


def argument(tokens: Span | Token, entity: str | None = None) -> Argument:
    """An argument from a token or span, keeping its exact characters."""
    if isinstance(tokens, Token):
        return Argument((tokens.idx, tokens.idx + len(tokens.text)), tokens.text, entity)
    return Argument((tokens.start_char, tokens.end_char), tokens.text, entity)


def mention_argument(mention: Mention) -> Argument:
    return Argument((mention.begin, mention.end), mention.text, mention.key)


# -- attacker ------------------------------------------------------------------------------


def find_attacker(trigger: Token, ctx: Context) -> Argument | None:
    """Who struck: subject or agent of the verb, or a modifier of the strike noun."""
    for tokens in _attacker_scopes(trigger):
        found = _actor_in(tokens, ctx)
        if found is not None:
            return found
    return None


def _attacker_scopes(trigger: Token) -> Iterator[list[Token]]:
    if trigger.pos_ in {"VERB", "AUX"}:
        passive = any(c.dep_ in {"nsubjpass", "auxpass"} for c in trigger.children)
        for child in trigger.children:
            if child.dep_ == "agent":
                yield list(child.subtree)
        if not passive:
            subjects = [c for c in trigger.children if c.dep_ == "nsubj"]
            if not subjects and trigger.dep_ in {"conj", "xcomp", "advcl"}:
                # "jets are believed to have hit": the raised subject is the attacker.
                subjects = [c for c in trigger.head.children if c.dep_ in _SUBJECTS]
            for subject in subjects:
                yield _phrase(subject)
        return
    yield [t for t in trigger.lefts for t in t.subtree]
    for child in trigger.rights:
        if child.dep_ == "prep" and child.lower_ == "by":
            yield list(child.subtree)
    if trigger.dep_ in _SUBJECTS | {"dobj"} and trigger.head.pos_ == "VERB":
        for child in trigger.head.children:
            if child.dep_ == "agent":
                yield list(child.subtree)


def _phrase(head: Token) -> list[Token]:
    """A noun phrase without its relative clauses (they name other actors)."""
    cut = {t.i for c in head.children if c.dep_ in {"relcl", "acl", "appos"} for t in c.subtree}
    return [t for t in head.subtree if t.i not in cut]


def _actor_in(tokens: Iterable[Token], ctx: Context) -> Argument | None:
    tokens = list(tokens)
    actors = [
        ctx.mentions[t.i] for t in tokens if t.i in ctx.mentions and ctx.mentions[t.i].kind in ARMED
    ]
    distinct = {m.key for m in actors}
    if len(distinct) > 1 and any(t.lower_ == "or" for t in tokens):
        return None  # "Syrian or Russian warplanes": the text leaves a choice
    if actors:
        return mention_argument(actors[0])
    for token in tokens:
        generic = _generic_actor(token, ctx)
        if generic is not None:
            return argument(token, generic)
    return None


def _generic_actor(token: Token, ctx: Context) -> str | None:
    word = token.lower_
    for key, words in ctx.lexicon.generic_actors.items():
        if word in words:
            return ctx.focus_state if key == "government" else key
    return None


# -- target and location --------------------------------------------------------------------


def find_target(
    trigger: Token, ctx: Context
) -> tuple[Argument | None, str | None, Argument | None]:
    """The thing hit, its facility kind, and a place the target phrase names."""
    for head in _target_heads(trigger, ctx):
        if head.ent_type_ in {"DATE", "TIME"} or head.lemma_.lower() in ctx.lexicon.not_targets:
            continue  # "on the same day" is when, "killed 12 people" whom: not what was hit
        mention = ctx.mentions.get(head.i)
        if mention is not None and mention.kind is EntityKind.PLACE:
            return None, None, mention_argument(mention)  # "hit Saraqeb": a place, not a target
        if head.lemma_.lower() in ctx.lexicon.place_nouns or head.lower_ in ctx.lexicon.place_nouns:
            # "the town of Saraqeb", "a district of Hama": a place, not a target.
            return None, None, _place_naming(head, ctx) or _place_in(_phrase(head), ctx)
        tokens = _target_tokens(head)
        words = {t.lemma_.lower() for t in tokens} | {t.lower_ for t in tokens}
        # The phrase names an entity only when its head is part of the name: "Iran-backed
        # militia groups" are not Iran.
        if mention is not None and mention.kind is not EntityKind.STATE:
            target = mention_argument(mention)
        else:
            target = _earlier_facility(head, ctx) or argument(
                head.doc[tokens[0].i : tokens[-1].i + 1]
            )
        return target, ctx.lexicon.target_kind(words), _place_in(tokens, ctx)
    return None, None, None


def _earlier_facility(head: Token, ctx: Context) -> Argument | None:
    """ "the facility", "the base": the facility named in the last few sentences."""
    definite = any(c.dep_ == "det" and c.lower_ in {"the", "this", "that"} for c in head.children)
    if not definite or head.lemma_.lower() not in ctx.lexicon.definite_facilities:
        return None
    if len(list(head.children)) > 1:
        return None  # "the air base near Homs" names its own
    window_start = head.sent.start
    for _ in range(3):
        window_start = max(head.doc[window_start].sent.start - 1, 0)
    for index in range(head.i - 1, window_start - 1, -1):
        mention = ctx.mentions.get(index)
        if mention is not None and mention.kind is EntityKind.FACILITY:
            return mention_argument(mention)
    return None


def _target_heads(trigger: Token, ctx: Context) -> Iterator[Token]:
    verb_like = trigger.pos_ in {"VERB", "AUX"}
    carriers = [trigger]
    striking = {"hit", "strike", "target", "destroy", "level", "damage"}
    if not verb_like and trigger.dep_ in _SUBJECTS and trigger.head.lemma_.lower() in striking:
        carriers.append(trigger.head)  # "an air strike hit a clinic"
    if not verb_like:
        # "the T-4 attack": a facility named before the strike noun is its target.
        for child in trigger.lefts:
            mention = ctx.mentions.get(child.i)
            if (
                child.dep_ in {"compound", "nmod"}
                and mention
                and mention.kind is EntityKind.FACILITY
            ):
                yield child
    for carrier in carriers:
        is_verb = carrier.pos_ in {"VERB", "AUX"}
        for child in carrier.children:
            if is_verb and child.dep_ in {"dobj", "nsubjpass"} and not _is_weapon(child, ctx):
                yield child
        for child in carrier.children:
            if child.dep_ == "prep" and child.lower_ in TARGET_PREPS:
                yield from (g for g in child.children if g.dep_ == "pobj")
            if is_verb and child.dep_ == "dobj" and _is_weapon(child, ctx):
                for grand in child.children:  # "fired missiles at the airport"
                    if grand.dep_ == "prep" and grand.lower_ in TARGET_PREPS:
                        yield from (g for g in grand.children if g.dep_ == "pobj")
        if not is_verb:
            for child in carrier.children:  # "blasts in an ammunition depot"
                if child.dep_ == "prep" and child.lower_ in {"in", "at"}:
                    yield from (
                        g
                        for g in child.children
                        if g.dep_ == "pobj" and ctx.lexicon.target_kind({g.lemma_.lower()})
                    )


def _is_weapon(token: Token, ctx: Context) -> bool:
    lemma = token.lemma_.lower()
    return (
        ctx.lexicon.weapon_of(lemma) is not None
        or lemma in {"bomb", "shell", "strike"}
        or (lemma in ctx.lexicon.not_targets)
    )


def _target_tokens(head: Token) -> list[Token]:
    """The target phrase: the head with its modifiers, up to its first prepositional phrase."""
    lefts = [
        t
        for c in head.lefts
        if c.dep_ not in {"det", "predet", "poss", "nummod"}
        for t in c.subtree
    ]
    rights: list[Token] = []
    for child in head.rights:
        if child.dep_ in {"compound", "flat", "amod"}:
            rights.extend(child.subtree)
        elif child.dep_ == "prep" and child.lower_ == "of":
            rights.extend(child.subtree)  # "a base for Lebanon's Hezbollah" stays whole below
        else:
            break
    tokens = sorted({*lefts, head, *rights}, key=lambda t: t.i)
    while tokens and (tokens[0].is_punct or tokens[0].dep_ in {"det", "cc"}):
        tokens.pop(0)
    return tokens or [head]


def find_location(
    trigger: Token, sentence: Span, ctx: Context, hint: Argument | None
) -> Argument | None:
    """The most specific place the strike hit.

    Places the parse ties to the strike's clause come first ("air strikes killed 12 in
    Saraqeb"); failing those, any place of a locative phrase in the sentence. Never a
    dateline ("MOSCOW (Sputnik) -"), a source ("a monitor in London said"), a place standing
    for its government ("for Moscow", "Moscow demanded") or the place of another strike
    told in a subordinate clause ("hours after a gas attack in Khan Sheikhun").
    """
    if hint is not None:
        return hint
    tags_end = tag_list_end(sentence)
    candidates = [
        m
        for m in _sentence_places(sentence, ctx)
        if not _is_origin_or_source(sentence, m, ctx)
        and not _is_dateline(sentence, m)
        and not _is_metonymy(sentence, m)
        and not _in_other_event(trigger, sentence, m)
        and not _tagged(sentence, m, tags_end)
    ]
    clause = _clause_head(trigger)
    linked = [m for m in candidates if _linked_to(trigger, clause, sentence, m, ctx)]
    # "Tags Homs Khan Sheikhun US cruise missiles struck an airbase in Homs province": a
    # name that only qualifies the striker says who struck, not where.
    linked = [m for m in linked if not _qualifies_striker(trigger, sentence, m)] or linked
    pool = linked or [
        m
        for m in candidates
        if _locative(sentence, m) and not _in_other_strike(trigger, sentence, m, ctx)
    ]
    if not pool:
        return None
    # A town or city first, then a province, then a region ("the Golan plateau").
    # "in Eastern Ghouta near Damascus": where it hit, not what it was near
    pool = [m for m in pool if not is_near(sentence.doc, mention_argument(m))] or pool
    # "the village of Hass in Idlib province": the named part, not the place that holds it
    pool = [m for m in pool if not any(_holds(m, other, sentence, ctx) for other in pool)]
    towns = [m for m in pool if not _is_admin(sentence, m) and not _is_region(sentence, m)]
    divisions = [m for m in pool if _is_admin(sentence, m)]
    best = _most_specific(towns or divisions or pool, ctx)
    # "strikes hit Homs province ... in the Houla region of Homs province"
    parts = [
        m
        for m in candidates
        if any(c.key == best.key and _holds(c, m, sentence, ctx) for c in candidates)
        and not _in_other_strike(trigger, sentence, m, ctx)
    ]
    return mention_argument(parts[0] if parts else best)


_NEAR = frozenset({"near", "outside", "around", "nearby", "close", "from"})
_DIRECTIONS = frozenset(
    "north south east west northeast northwest southeast southwest "
    "northeastern northwestern southeastern southwestern".split()
)


# "the suburbs of Damascus", "the outskirts of Aleppo": around the town, not in it.
_SURROUNDS = frozenset({"suburb", "outskirts", "outskirt", "countryside", "edge", "periphery"})


def is_near(doc: Doc, location: Argument) -> bool:
    """Whether the text puts the strike near the place, not in it: "near Aleppo",
    "outside Homs", "30 km southeast of Deir Ezzor", "a suburb of Damascus"."""
    span = doc.char_span(*location.span, alignment_mode="expand")
    if span is None:
        return False
    root = span.root
    while root.dep_ in {"conj", "appos", "compound"} and root.head != root:
        root = root.head
    if root.dep_ != "pobj":
        return False
    preposition = root.head
    if preposition.lower_ in _NEAR:
        return True
    return preposition.lower_ == "of" and (
        preposition.head.lower_ in _DIRECTIONS or preposition.head.lemma_.lower() in _SURROUNDS
    )


def find_country(trigger: Token, sentence: Span, ctx: Context) -> Argument | None:
    """The state whose land the strike hit, named in a phrase that says where ("in
    northern Syria", "strikes on Syria"), not a source's or another strike's."""
    for mention in _sentence_mentions(sentence, ctx, EntityKind.STATE):
        tokens = _tokens_of(sentence, mention)
        if (
            tokens
            and tokens[-1].pos_ == "PROPN"  # "Syria", not the demonym of "Russian air strikes"
            and _locative(sentence, mention)
            and not _is_origin_or_source(sentence, mention, ctx)
            and not _is_metonymy(sentence, mention)
            and not _in_other_strike(trigger, sentence, mention, ctx)
        ):
            return mention_argument(mention)
    return None


def place_holding(location: Argument | None, sentence: Span, ctx: Context) -> str | None:
    """The key of the place the sentence puts the location in ("the Damascus suburb of
    Jaramana": Damascus), if it names one."""
    if location is None:
        return None
    places = _sentence_places(sentence, ctx)
    inner = next((m for m in places if (m.begin, m.end) == location.span), None)
    if inner is None:
        return None
    return next((m.key for m in places if _holds(m, inner, sentence, ctx)), None)


# How a place hangs off the part it holds: "the X region of Y", "Y's X region", "the Y
# suburb of X", "the village of X in Y province".
_HOLDING_DEPS = frozenset({"pobj", "prep", "poss", "compound", "amod", "case"})


def _holds(outer: Mention, inner: Mention, sentence: Span, ctx: Context) -> bool:
    """Whether the parse puts ``inner`` inside ``outer``: both hang off one place noun
    ("village", "suburb", "region"), ``inner`` naming it, ``outer`` qualifying it."""
    if outer is inner:
        return False
    inner_tokens, outer_tokens = _tokens_of(sentence, inner), _tokens_of(sentence, outer)
    if not inner_tokens or not outer_tokens:
        return False
    part = _named_place_noun(inner_tokens[-1], ctx)
    if part is None or part in outer_tokens or _named_place_noun(outer_tokens[-1], ctx) == part:
        return False
    node = outer_tokens[-1]
    while node.dep_ in _HOLDING_DEPS and node.head != node:
        if node.dep_ == "prep" and node.lower_ not in {"of", "in"}:
            return False
        node = node.head
        if node == part:
            return True
    return False


def _named_place_noun(root: Token, ctx: Context) -> Token | None:
    """The place noun a name names: "Houla" in "the Houla region (of Homs province)",
    "Jaramana" in "the (Damascus) suburb of Jaramana", "Hass" in "the village of Hass"."""
    head = root.head
    if root.dep_ in {"compound", "appos"} and head.lemma_.lower() in _PART_NOUNS:
        return head
    if root.dep_ != "pobj" or head.lower_ != "of":
        return None
    noun = head.head
    if noun.lemma_.lower() not in SETTLEMENT_NOUNS | _PART_NOUNS:
        return None
    named_before = noun.lemma_.lower() in _PART_NOUNS and any(
        c.dep_ in {"compound", "appos"} and _is_place(c, ctx) for c in noun.children
    )
    return None if named_before else noun


def _is_place(token: Token, ctx: Context) -> bool:
    mention = ctx.mentions.get(token.i)
    return mention is not None and mention.kind is EntityKind.PLACE


# Places named before the noun ("the Houla region of Homs province"); others are named
# after it ("the Damascus suburb of Jaramana"). A town's own parts (neighbourhoods,
# districts) are finer than a strike's location, which is the town.
_PART_NOUNS = frozenset({"region", "area", "camp"})


def _size(mention: Mention, ctx: Context) -> tuple[int, int]:
    """How large a place is, to prefer the most specific ("the Damascus suburb of
    Jaramana" is in Jaramana): known towns by population, then names GeoNames does not
    know, then divisions."""
    place = ctx.places.get(mention.key)
    if place is None:
        return (1, UNKNOWN_POPULATION)
    return (2 if place.feature_class == "A" else 0, place.population or UNKNOWN_POPULATION)


def _most_specific(mentions: list[Mention], ctx: Context) -> Mention:
    """The smallest of the places in the province of the first named: "Saraqeb" in
    "strikes on Idlib and Saraqeb"; "Aleppo" in "injured in Aleppo, damage in Daraa". A
    first name GeoNames does not know (a town's neighbourhood) yields to a known town."""
    province = _province(min(mentions, key=lambda m: m.begin), ctx)
    same = [m for m in mentions if _province(m, ctx) == province] if province else mentions
    return min(same, key=lambda m: _size(m, ctx))


def _province(mention: Mention, ctx: Context) -> str | None:
    place = ctx.places.get(mention.key)
    return place.admin1_key if place is not None else None


def _sentence_places(sentence: Span, ctx: Context) -> list[Mention]:
    return _sentence_mentions(sentence, ctx, EntityKind.PLACE)


def _sentence_mentions(sentence: Span, ctx: Context, kind: EntityKind) -> list[Mention]:
    seen: dict[int, Mention] = {}
    for i in range(sentence.start, sentence.end):
        mention = ctx.mentions.get(i)
        if mention is not None and mention.kind is kind:
            seen.setdefault(mention.begin, mention)
    return list(seen.values())


def _tokens_of(sentence: Span, mention: Mention) -> list[Token]:
    """The sentence's tokens that start within the mention."""
    begin, end = max(mention.begin, sentence.start_char), min(mention.end, sentence.end_char)
    if begin >= end:
        return []
    # Only the tokens the mention covers are made, not every token of the sentence: this
    # runs for each mention of each sentence with a strike.
    covering = sentence.doc.char_span(begin, end, alignment_mode="expand")
    return [t for t in covering or sentence if mention.begin <= t.idx < mention.end]


def _is_origin_or_source(sentence: Span, mention: Mention, ctx: Context) -> bool:
    tokens = _tokens_of(sentence, mention)
    if not tokens:
        return True
    root = tokens[-1]
    if root.dep_ == "pobj" and root.head.lower_ == "from":
        return True
    speaker = root
    while speaker.dep_ in {"pobj", "prep", "compound", "appos"} and speaker.head != speaker:
        speaker = speaker.head  # "the defence ministry in Moscow said": where the source is
    if (
        speaker.dep_ in _SUBJECTS
        and speaker.head.lemma_.lower() in ctx.lexicon.reporting_verbs | ctx.lexicon.denials
    ):
        return True  # "Damascus denied...": the government, not the place hit
    return any(
        t.lower_.endswith("-based") or t.lower_ in {"based", "-based"} for t in tokens[-1].rights
    )


# Dependencies that open a clause of its own: a place inside one belongs to that clause.
_CLAUSES = frozenset({"advcl", "relcl", "ccomp", "acl", "parataxis", "csubj"})
_METONYMIC_PREPS = frozenset({"for", "with", "to", "between", "against"})


def _clause_head(trigger: Token) -> Token:
    """The verb a strike noun is the subject or object of ("air strikes killed..."): its
    place phrases are the strike's."""
    if trigger.dep_ == "compound":  # "Rocket attacks killed...": the phrase's head
        trigger = trigger.head
    verb = trigger.head
    noun = trigger.pos_ not in {"VERB", "AUX"} and trigger.dep_ in _SUBJECTS | {"dobj"}
    return verb if noun and verb.pos_ in {"VERB", "AUX"} else trigger


def _linked_to(
    trigger: Token, clause: Token, sentence: Span, mention: Mention, ctx: Context
) -> bool:
    """Whether the parse ties the place to the strike: in the trigger's phrase, or in its
    clause without crossing into a subordinate clause or another strike's phrase."""
    tokens = _tokens_of(sentence, mention)
    if not tokens:
        return False
    node = tokens[-1]
    while node != node.head:
        if node in (trigger, clause):
            return True
        if node.dep_ in _CLAUSES or (node != trigger and _is_strike_word(node, ctx)):
            return node.head == trigger and node.dep_ not in _CLAUSES
        node = node.head
    return node in (trigger, clause)


def _qualifies_striker(trigger: Token, sentence: Span, mention: Mention) -> bool:
    """Whether the place is only a modifier inside the subject of the strike verb."""
    tokens = _tokens_of(sentence, mention)
    subjects = [c for c in trigger.children if c.dep_ in {"nsubj", "nsubjpass"}]
    return (
        bool(tokens)
        and not _locative(sentence, mention)
        and any(tokens[-1] in s.subtree and tokens[-1] != s for s in subjects)
    )


def _tagged(sentence: Span, mention: Mention, tags_end: int) -> bool:
    """Whether the place is one of a web page's tags ("Tags Syria Idlib Zabadani ..."), which
    end at token ``tags_end``: a keyword, not where the strike hit."""
    tokens = _tokens_of(sentence, mention)
    return bool(tokens) and tokens[0].i < tags_end


# Prepositions that bring in another event: "kill 45 after rebel fire on Damascus".
_OTHER_EVENT_PREPS = frozenset({"after", "before", "following", "amid"})


def _in_other_event(trigger: Token, sentence: Span, mention: Mention) -> bool:
    """Whether the place is told in a phrase about another event, before or after the
    strike ("after rebel fire on Damascus", "amid clashes in Homs")."""
    tokens = _tokens_of(sentence, mention)
    node = tokens[-1] if tokens else trigger
    while node != node.head and node != trigger:
        if node.dep_ == "prep" and node.lower_ in _OTHER_EVENT_PREPS:
            return node not in trigger.subtree or node.head == trigger
        node = node.head
    return False


def _in_other_strike(trigger: Token, sentence: Span, mention: Mention, ctx: Context) -> bool:
    """Whether the place belongs to another strike: in its phrase ("a launchpad for a
    chemical attack on a village in Idlib") or in a clause that tells one ("hours after a
    gas attack left dozens dead in Khan Sheikhun")."""
    tokens = _tokens_of(sentence, mention)
    node = tokens[-1] if tokens else trigger
    while node != node.head and node != trigger:
        if _tells_a_strike(node, ctx) and node not in trigger.subtree:
            return True
        own_clause = node.dep_ in _CLAUSES and trigger not in node.subtree
        if own_clause and any(_tells_a_strike(t, ctx) for t in node.subtree):
            return True
        node = node.head
    return False


def _tells_a_strike(token: Token, ctx: Context) -> bool:
    """A strike word that tells a strike of its own: "air strike", "a chemical attack", not
    "blasts" that may be the strike told ("blasts ... believed to be from an Israeli raid")."""
    lemma = token.lemma_.lower()
    if lemma in ctx.lexicon.weak_nouns:
        return any(c.lower_ in {"chemical", "gas", "suicide"} for c in token.lefts)
    return _is_strike_word(token, ctx)


def _is_strike_word(token: Token, ctx: Context) -> bool:
    lemma = token.lemma_.lower()
    if token.pos_ in {"VERB", "AUX"}:
        return lemma in ctx.lexicon.trigger_verbs - ctx.lexicon.weak_verbs
    return token.pos_ == "NOUN" and lemma in ctx.lexicon.trigger_nouns


def _locative(sentence: Span, mention: Mention) -> bool:
    """A place in a phrase that says where: "in/near/outside X", "the town of X"."""
    tokens = _tokens_of(sentence, mention)
    if not tokens:
        return False
    root = tokens[-1]
    while root.dep_ in {"conj", "appos", "compound", "amod"} and root.head != root:
        root = root.head  # "in Aleppo city": the model makes Aleppo a modifier of city
    return root.dep_ == "pobj" and root.head.lower_ in PLACE_PREPS


def _is_dateline(sentence: Span, mention: Mention) -> bool:
    """ "MOSCOW (Sputnik) -", "Jordan Times - Beirut -": where the story was filed."""
    tokens = _tokens_of(sentence, mention)
    if not tokens:
        return False
    doc = sentence.doc
    after = doc[tokens[-1].i + 1] if tokens[-1].i + 1 < len(doc) else None
    before = doc[tokens[0].i - 1] if tokens[0].i > 0 else None
    if after is None or (before is not None and before.pos_ == "ADP"):
        return False
    return after.text == "(" or (_separator(after) and (before is None or _separator(before)))


def _separator(token: Token) -> bool:
    return not any(c.isalnum() for c in token.text) and token.text not in {",", ".", "'s", "'"}


def _is_metonymy(sentence: Span, mention: Mention) -> bool:
    """A place standing for its government or people: "the deadliest loss for Moscow",
    "Moscow demanded", "Moscow's veto", "its Damascus ally"."""
    tokens = _tokens_of(sentence, mention)
    if not tokens:
        return True
    root = tokens[-1]
    if root.dep_ == "nsubj" or root.dep_ == "poss":
        return True
    if root.dep_ == "pobj" and root.head.lower_ in _METONYMIC_PREPS:
        return True
    head = root.head
    return root.dep_ == "compound" and (
        head.lemma_.lower() in _GOVERNMENT_NOUNS or head.lower_ in _GOVERNMENT_NOUNS
    )


_GOVERNMENT_NOUNS = frozenset(
    "ally allies government regime talk talks negotiation negotiations process conference "
    "agreement authority authorities official officials ministry envoy delegation deal "
    "summit convention".split()
)


def _is_admin(sentence: Span, mention: Mention) -> bool:
    tokens = _tokens_of(sentence, mention)
    if not tokens:
        return False
    after = sentence.doc[tokens[-1].i + 1 : tokens[-1].i + 2]
    before = sentence.doc[max(tokens[0].i - 3, 0) : tokens[0].i]
    return any(t.lower_ in ADMIN_WORDS for t in [*after, *before])


def _is_region(sentence: Span, mention: Mention) -> bool:
    """A natural region, not a town: "the Golan Heights", "the Golan plateau"."""
    tokens = _tokens_of(sentence, mention)
    if not tokens:
        return False
    after = sentence.doc[tokens[-1].i + 1 : tokens[-1].i + 2]
    return any(t.lower_ in REGION_WORDS for t in [tokens[-1], *after])


def _place_naming(noun: Token, ctx: Context) -> Argument | None:
    """The place that names a place noun: "Jaramana" for "the Damascus suburb of Jaramana"."""
    for token in noun.subtree:
        mention = ctx.mentions.get(token.i)
        if mention is None or mention.kind is not EntityKind.PLACE:
            continue
        if mention.end == token.idx + len(token) and _named_place_noun(token, ctx) == noun:
            return mention_argument(mention)  # the name's last word hangs off the noun
    return None


def _place_in(tokens: Iterable[Token], ctx: Context) -> Argument | None:
    for token in tokens:
        mention = ctx.mentions.get(token.i)
        if mention is not None and mention.kind is EntityKind.PLACE:
            return mention_argument(mention)
    return None


# -- date, weapon, outcome, casualties ------------------------------------------------------


def find_date(trigger: Token, sentence: Span, ctx: Context) -> DateArgument | None:
    """The date expression of the sentence closest to the trigger, resolved."""
    expressions = [
        e
        for e in entities_within(sentence)
        if e.label_ in {"DATE", "TIME"}
        and not _dates_the_report(e, trigger, ctx)
        and not _clock_time(e)
    ]
    found = []
    for entity in expressions:
        partial = parse_date_expression(entity.text)
        if partial is None:
            continue
        resolved = resolve(entity.text, ctx.reference)
        found.append(
            DateArgument((entity.start_char, entity.end_char), entity.text, partial, resolved)
        )
    if not found:
        return None
    # A day beats a vaguer expression ("this week"), then the nearest to the trigger wins.
    return min(found, key=lambda d: (not _is_day(d), abs(d.span[0] - trigger.idx)))


def _clock_time(expression: Span) -> bool:
    """ "(2000 GMT)": four digits before a clock word are a time of day, not a year."""
    end = expression.end
    return end < len(expression.doc) and expression.doc[end].lower_ in CLOCK_WORDS


def _is_day(date: DateArgument) -> bool:
    if date.resolved is not None:
        return date.resolved.precision is Precision.DAY
    return date.partial.day is not None or date.partial.weekday is not None


def _dates_the_report(expression: Span, trigger: Token, ctx: Context) -> bool:
    """ "a monitor said Sunday": the day of the telling, not of the strike."""
    head = expression.root.head
    return head != trigger and head.lemma_.lower() in ctx.lexicon.reporting_verbs


def find_weapon(
    trigger: Token, sentence: Span, ctx: Context, matches: list[tuple[str, Span]]
) -> tuple[Weapon, Argument] | None:
    """The weapon named closest to the trigger (the trigger itself first: "shelling")."""
    own = _trigger_weapon(trigger, ctx)
    if own is not None:
        return own, argument(trigger)
    for child in trigger.children:  # "fired rockets", "dropped barrel bombs"
        if child.dep_ == "dobj" and ctx.lexicon.weapon_of(child.lemma_.lower()) is not None:
            phrase = [
                m
                for m in matches
                if m[0].startswith("weapon:") and m[1].start <= child.i < m[1].end
            ]
            if phrase:
                label, span = max(phrase, key=lambda m: len(m[1]))
                return Weapon(label.split(":", 1)[1]), argument(span)
    weapons = [
        (label, span)
        for label, span in matches
        if label.startswith("weapon:")
        and _inside(span, sentence)
        and abs(span.start - trigger.i) <= WEAPON_WINDOW
    ]
    if not weapons:
        return None
    # Longest phrase at the nearest position: "barrel bomb" over "bomb".
    label, span = min(weapons, key=lambda m: (abs(m[1].start - trigger.i), -len(m[1])))
    return Weapon(label.split(":", 1)[1]), argument(span)


def _inside(span: Span, sentence: Span) -> bool:
    return sentence.start <= span.start and span.end <= sentence.end


def _trigger_weapon(trigger: Token, ctx: Context) -> Weapon | None:
    lemma = trigger.lemma_.lower()
    if lemma in {"raid", "airstrike", "air-strike", "airraid", "sortie"}:
        return Weapon.AIRCRAFT
    if lemma == "strike" and any(c.lower_ in {"air", "aerial"} for c in trigger.lefts):
        return Weapon.AIRCRAFT
    if (
        lemma in {"shell", "shelling", "bombard", "bombardment"} and trigger.pos_ == "VERB"
    ) or lemma == "shelling":
        return Weapon.ARTILLERY
    return (
        ctx.lexicon.weapon_of(lemma)
        if lemma not in {"strike", "attack", "bomb", "bombing"}
        else None
    )


def find_outcome(
    sentence: Span, matches: list[tuple[str, Span]]
) -> tuple[Outcome, Argument] | None:
    """The strongest outcome the sentence states (interception over destruction over damage)."""
    order = [Outcome.INTERCEPTED, Outcome.DESTROYED, Outcome.MISSED, Outcome.DAMAGED]
    found = {
        Outcome(label.split(":", 1)[1]): span
        for label, span in matches
        if label.startswith("outcome:") and _inside(span, sentence)
    }
    for outcome in order:
        if outcome in found:
            return outcome, argument(found[outcome])
    return None


# Numbers that count no one: "2016", "10 pm", "$5", "40 percent", "5 km", "second".
_NOT_COUNTS = frozenset({"DATE", "TIME", "MONEY", "PERCENT", "QUANTITY", "ORDINAL"})


def find_casualties(
    sentence: Span, ctx: Context
) -> tuple[tuple[int, Argument] | None, tuple[int, Argument] | None]:
    """The lowest killed and injured figures of the sentence, each with its number."""
    killed: list[tuple[int, Argument]] = []
    injured: list[tuple[int, Argument]] = []
    for token in sentence:
        value = number_value(token)
        if value is None or day_of_month(token) or token.ent_type_ in _NOT_COUNTS:
            continue
        role = _casualty_role(token, ctx.lexicon)
        if role == "killed":
            killed.append((value, argument(token)))
        elif role == "injured":
            injured.append((value, argument(token)))
    return (
        min(killed, key=lambda k: k[0]) if killed else None,
        min(injured, key=lambda k: k[0]) if injured else None,
    )


def number_value(token: Token) -> int | None:
    """The integer a number token writes ("39", "1,200", "eleven"); ``None`` otherwise.

    Example:
        >>> import spacy; number_value(spacy.blank("en")("Eleven")[0])
        11
    """
    text = token.lower_.replace(",", "")
    if text.isdigit():
        value = int(text)
        return value if 0 < value < 100_000 else None
    return NUMBER_WORDS.get(text) or None


def _casualty_role(number: Token, lexicon: Lexicon) -> str | None:
    """Whether a number counts the dead or the wounded, from the words governing it."""
    current = number
    for _ in range(4):
        nearby = [current, *current.children] if current != number else [current]
        for token in nearby:
            lemma = token.lemma_.lower()
            if lemma in lexicon.injured_words:
                return "injured"
            if (lemma in lexicon.killed_words and lemma != "claim") or (
                lemma == "claim" and current != number
            ):
                return "killed"
        if current.head == current:
            return None
        current = current.head
    return None
