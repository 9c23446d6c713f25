"""Who the article says reports or claims a strike, and how certain it makes it.

"X said" and "according to X" attribute the sentence to X; "reportedly", "believed to",
"unconfirmed" hedge it; "denied" denies it. The status of a report follows ANNOTATION.md:
reported (stated as fact), claimed (attributed to a party), unconfirmed, denied.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Span, Token

from kg.entities import EntityKind, Mention
from kg.events.arguments import Context, argument, mention_argument
from kg.events.model import Argument, Status

SOURCES = frozenset(
    {
        EntityKind.STATE,
        EntityKind.ARMED_FORCE,
        EntityKind.ARMED_GROUP,
        EntityKind.ORGANIZATION,
        EntityKind.PERSON,
    }
)
PRONOUNS = frozenset({"it", "he", "she", "they", "we", "i"})
# "the group said": a source already named, when the noun stands alone with "the".
BACK_REFERENCES = frozenset({"group", "organisation", "organization", "monitor", "observatory"})
_CLAUSE_LINKS = frozenset({"ccomp", "parataxis", "conj", "advcl", "xcomp"})


@dataclass(frozen=True)
class Attribution:
    """The source and status one sentence gives its strike."""

    source: Argument | None
    status: Status
    cue: Argument | None


def find_attribution(
    trigger: Token, sentence: Span, ctx: Context, previous: Argument | None
) -> Attribution:
    """Source and status of the strike the trigger names.

    Args:
        previous: the last source named earlier in the article, for "it said" and "the
            group said".
    """
    lexicon = ctx.lexicon
    denial = next((t for t in sentence if t.lemma_.lower() in lexicon.denials), None)
    hedge = next(
        (t for t in sentence if t.lower_ in lexicon.hedges or t.lemma_.lower() in lexicon.hedges),
        None,
    )
    source = (
        _according_to(sentence, ctx)
        or _reporting_subject(trigger, sentence, ctx, previous)
        or _trailing_source(sentence, ctx)
    )
    if denial is not None:
        return Attribution(source, Status.DENIED, argument(denial))
    if hedge is not None:
        return Attribution(source, Status.UNCONFIRMED, argument(hedge))
    if source is not None:
        return Attribution(source, Status.CLAIMED, None)
    return Attribution(None, Status.REPORTED, None)


def _according_to(sentence: Span, ctx: Context) -> Argument | None:
    for token in sentence:
        if (
            token.lower_ == "according"
            and token.i + 1 < sentence.end
            and sentence.doc[token.i + 1].lower_ == "to"
        ):
            objects = [c for c in sentence.doc[token.i + 1].children if c.dep_ == "pobj"]
            if objects:
                found = _source_phrase(objects[0], ctx)
                if found is not None:
                    return found
    return None


def _reporting_subject(
    trigger: Token, sentence: Span, ctx: Context, previous: Argument | None
) -> Argument | None:
    verbs = [
        t
        for t in sentence
        if t.lemma_.lower() in ctx.lexicon.reporting_verbs and t.pos_ in {"VERB", "AUX"}
    ]
    for verb in sorted(verbs, key=lambda v: abs(v.i - trigger.i)):
        if verb == trigger or not _attributes(verb, trigger):
            continue
        for subject in (c for c in verb.children if c.dep_ in {"nsubj", "nsubjpass"}):
            if trigger in subject.subtree:
                continue  # "the strike said to have killed...": the trigger is not the source
            if _refers_back(subject):
                return previous or (ctx.monitor if subject.lower_ not in PRONOUNS else None)
            return _source_phrase(subject, ctx)
        for agent in (c for c in verb.children if c.dep_ == "agent"):
            objects = [g for g in agent.children if g.dep_ == "pobj"]
            if objects:
                found = _source_phrase(objects[0], ctx)
                if found is not None:
                    return found
    return None


def _trailing_source(sentence: Span, ctx: Context) -> Argument | None:
    """ "..., Syria and intelligence sources said.": the phrase before a closing "said",
    for sentences whose parse lost the subject (long sentences, stripped commas)."""
    tokens = list(sentence)
    while tokens and tokens[-1].is_punct:
        tokens.pop()
    if len(tokens) < 3 or tokens[-1].lemma_.lower() not in ctx.lexicon.reporting_verbs:
        return None
    named = ctx.mentions.get(tokens[-2].i)
    if named is not None and named.kind in SOURCES:
        return mention_argument(named)  # "..., the Syrian Observatory for Human Rights said."
    phrase: list[Token] = []
    for token in reversed(tokens[:-1]):
        if token.pos_ not in {"PROPN", "NOUN", "ADJ", "DET", "CCONJ"} or len(phrase) > 7:
            break
        phrase.insert(0, token)
    while phrase and phrase[0].pos_ in {"DET", "CCONJ"}:
        phrase.pop(0)
    if not phrase:
        return None
    return argument(sentence.doc[phrase[0].i : phrase[-1].i + 1])


def _attributes(verb: Token, trigger: Token) -> bool:
    """Whether the reporting verb speaks for the trigger's clause: "X said [the strike...]"
    or, with the commas stripped, "[jets hit a base] a monitor said"."""
    if verb in trigger.ancestors:
        return True
    clause = trigger
    while (
        clause.dep_ not in {"ROOT"} and clause.head != clause and clause.pos_ not in {"VERB", "AUX"}
    ):
        clause = clause.head
    return verb.dep_ in _CLAUSE_LINKS and (
        verb.head == clause or verb.head in clause.ancestors or verb.head == trigger
    )


def _refers_back(subject: Token) -> bool:
    if subject.lower_ in PRONOUNS:
        return True
    children = list(subject.children)
    return (
        subject.lemma_.lower() in BACK_REFERENCES
        and len(children) == 1
        and children[0].lower_ == "the"
    )


_SOURCE_PRIORITY = (
    EntityKind.ORGANIZATION,
    EntityKind.PERSON,
    EntityKind.ARMED_FORCE,
    EntityKind.ARMED_GROUP,
    EntityKind.STATE,
)


def _source_phrase(head: Token, ctx: Context) -> Argument | None:
    """The source as a named entity when the phrase names one, else as its words.

    Names beat demonyms ("the Britain-based Syrian Observatory" is the Observatory, not
    the United Kingdom); a generic "monitor" is the organisation the article cites most;
    phrases that name no one ("preliminary data", "images") are no source.
    """
    phrase = [t for t in head.subtree if t.dep_ not in {"relcl", "acl"} and t.i <= head.i + 6]
    named = [ctx.mentions[t.i] for t in phrase if t.i in ctx.mentions]
    if head.i in ctx.mentions and ctx.mentions[head.i].kind in SOURCES:
        return mention_argument(ctx.mentions[head.i])
    for kind in _SOURCE_PRIORITY:
        for mention in named:
            if mention.kind is kind and not _is_modifier_demonym(mention, head):
                return mention_argument(mention)
    lemma = head.lemma_.lower()
    if lemma in ctx.lexicon.monitor_nouns and ctx.monitor is not None:
        return ctx.monitor
    if lemma not in ctx.lexicon.source_nouns and head.pos_ != "PROPN":
        return None
    tokens = [t for t in phrase if not (t.i == phrase[0].i and t.dep_ == "det")] or [head]
    return argument(head.doc[tokens[0].i : tokens[-1].i + 1])


def _is_modifier_demonym(mention: Mention, head: Token) -> bool:
    """ "Syrian state media", "Britain-based group": a state named to qualify the source."""
    return mention.kind is EntityKind.STATE and mention.end <= head.idx


def combine_status(statuses: list[Status]) -> Status:
    """The status of a report from those of its sentences.

    A denial wins; then any plain attribution (one source states it); then a hedge.

    Example:
        >>> combine_status([Status.UNCONFIRMED, Status.CLAIMED])
        <Status.CLAIMED: 'Claimed'>
    """
    for status in (Status.DENIED, Status.CLAIMED, Status.UNCONFIRMED):
        if status in statuses:
            return status
    return Status.REPORTED
