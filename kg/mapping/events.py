"""Reports in the article graph: what the article says about each strike, with evidence.

A report ``{base}doc/{id}/report/{n}`` carries the strike's arguments as the article gives
them, ``prov:wasDerivedFrom`` each evidence sentence, and one evidence node per argument
(``sk:role`` the argument's property, ``sk:mention`` the offset string of its words). Targets
and sources that are not named entities ("military barracks", "state media") become
article-local nodes ``{base}doc/{id}/entity/{begin}-{end}``. Which strike a report describes
is decided across articles, so ``sk:describes`` lives with the strikes in the shared graph.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

from kg.entities import Analysis
from kg.events.model import Argument, Precision, Report, StrikeType
from kg.ingest import Article
from kg.mapping.iris import Iris
from kg.mapping.terms import Triples, count, decimal, literal
from kg.vocab import ITSRDF, NIF, PROV, RDF, RDFS, SK

_MILITIA_WORDS = frozenset(
    {
        "militia",
        "militias",
        "fighters",
        "group",
        "groups",
        "forces",
        "troops",
        "rebels",
        "militants",
    }
)


class _ReportWriter:
    """Writes the reports of one article into its graph's triples."""

    def __init__(
        self, out: Triples, article: Article, analysis: Analysis, iris: Iris, sentences: list[str]
    ) -> None:
        self.out = out
        self.article = article
        self.iris = iris
        self.doc = iris.doc(article.doc_id)
        self.starts = [s.begin for s in analysis.sentences]
        self.sentence_iris = sentences
        self.entities: set[str] = set()
        self.described: set[str] = set()
        # Spans the entity stage already links: their node names its own entity.
        self.named = {(m.begin, m.end) for m in analysis.mentions}

    def write(self, number: int, report: Report) -> None:
        node = self.iris.report(self.article.doc_id, number)
        add = self.out.add
        add(node, str(RDF.type), f"<{SK.Report}>")
        add(node, str(RDFS.label), literal(_label(report, self.article.doc_id)))
        add(node, str(SK.document), f"<{self.doc}>")
        for index in report.sentences:
            add(node, str(PROV.wasDerivedFrom), f"<{self.sentence_iris[index]}>")
        add(node, str(SK.confidence), decimal(report.confidence))
        add(node, str(SK.status), f"<{SK[report.status.value]}>")
        self._evidence(node, "status", report.status_span)
        self._evidence(node, "type", report.trigger)
        self._entity(node, "attacker", report.attacker, "Actor")
        self._entity(node, "target", report.target, _target_class(report))
        self._entity(node, "location", report.location, "Place")
        self._entity(node, "country", report.country, "Place")
        self._entity(node, "attributedTo", report.attributed_to, "Actor")
        self._date(node, report)
        if report.weapon is not None:
            add(node, str(SK.weapon), f"<{SK[report.weapon.value]}>")
            self._evidence(node, "weapon", report.weapon_span)
        for number, claim in enumerate(report.outcomes, start=1):
            add(node, str(SK.outcome), f"<{SK[claim.outcome.value]}>")
            suffix = "" if number == 1 else f"-{number}"
            self._evidence(node, "outcome", claim.span, suffix=suffix)
        if not report.outcomes:
            add(node, str(SK.outcome), f"<{SK.UnknownOutcome}>")
        for role, value, span in (
            ("killed", report.killed, report.killed_span),
            ("injured", report.injured, report.injured_span),
        ):
            if value is not None:
                add(node, str(SK[role]), count(value))
                self._evidence(node, role, span)
        if report.target is not None and report.target.entity is None and report.target_kind:
            local = self._local(report.target)
            add(local, str(SK.facilityKind), f"<{SK[report.target_kind]}>")

    def _date(self, node: str, report: Report) -> None:
        if report.date is None:
            return
        # The words are kept even when no day can be known ("on Friday" in an undated
        # article): merging reports across articles still compares what they say.
        self._evidence(node, "date", Argument(report.date.span, report.date.text))
        resolved = report.date.resolved
        if resolved is None:
            return
        if resolved.date is not None:
            self.out.add(node, str(SK.date), literal(resolved.date))
        else:
            self.out.add(node, str(SK.earliestDate), literal(resolved.earliest))
            self.out.add(node, str(SK.latestDate), literal(resolved.latest))
        self.out.add(node, str(SK.datePrecision), f"<{SK[resolved.precision.value]}>")

    def _entity(self, node: str, role: str, value: Argument | None, local_class: str) -> None:
        if value is None:
            return
        if value.entity is not None:
            entity = self.iris.entity(value.entity)
            self.entities.add(entity)
        else:
            entity = self._local(value, local_class)
        self.out.add(node, str(SK[role]), f"<{entity}>")
        self._evidence(node, role, value, entity if value.entity else None)

    def _local(self, value: Argument, local_class: str = "Facility") -> str:
        """An article-local node for an unnamed target or source."""
        begin, end = value.span
        local = self.iris.local_entity(self.article.doc_id, begin, end)
        if local not in self.described:
            self.described.add(local)
            self.out.add(local, str(RDF.type), f"<{SK[local_class]}>")
            self.out.add(local, str(RDFS.label), literal(" ".join(value.text.split())))
        return local

    def _evidence(
        self,
        node: str,
        role: str,
        value: Argument | None,
        entity: str | None = None,
        suffix: str = "",
    ) -> None:
        if value is None:
            return
        begin, end = value.span
        evidence = f"{node}/evidence/{role}{suffix}"
        self.out.add(node, str(SK.evidence), f"<{evidence}>")
        self.out.add(evidence, str(SK.role), f"<{RDF.type if role == 'type' else SK[role]}>")
        mention = self.iris.char(self.article.doc_id, begin, end)
        self.out.add(evidence, str(SK.mention), f"<{mention}>")
        self._mention(mention, begin, end, entity)

    def _mention(self, node: str, begin: int, end: int, entity: str | None) -> None:
        # Entity mentions are described already; a node described twice in one graph is
        # harmless (the store keeps one copy of each triple).
        add = self.out.add
        add(node, str(RDF.type), f"<{NIF.Phrase}>")
        add(node, str(RDF.type), f"<{NIF.OffsetBasedString}>")
        add(node, str(NIF.beginIndex), count(begin))
        add(node, str(NIF.endIndex), count(end))
        add(node, str(NIF.anchorOf), literal(self.article.text[begin:end]))
        add(node, str(NIF.referenceContext), f"<{self.doc}>")
        add(node, str(NIF.sentence), f"<{self.sentence_iris[self._sentence_of(begin)]}>")
        if entity is not None and (begin, end) not in self.named:
            add(node, str(ITSRDF.taIdentRef), f"<{entity}>")

    def _sentence_of(self, begin: int) -> int:
        return max(bisect_right(self.starts, begin) - 1, 0)


def _target_class(report: Report) -> str:
    if report.target is None or report.target_kind:
        return "Facility"
    words = set(report.target.text.lower().split())
    return "ArmedGroup" if words & _MILITIA_WORDS else "Facility"


KIND_LABELS = {
    StrikeType.STRIKE: "strike",
    StrikeType.AIR: "air strike",
    StrikeType.DRONE: "drone strike",
    StrikeType.MISSILE: "missile strike",
    StrikeType.ROCKET_OR_ARTILLERY: "rocket or artillery strike",
    StrikeType.BOMBING: "bombing",
}


def _label(report: Report, doc_id: str) -> str:
    """A readable title: "air strike by Israel on military barracks in al-Safirah, 2020-05-04"."""
    parts = [KIND_LABELS[report.kind]]
    for word, value in (("by", report.attacker), ("on", report.target), ("in", report.location)):
        if value is not None:
            parts.append(f"{word} {' '.join(value.text.split())}")
    if report.date is not None and report.date.resolved is not None:
        parts.append(
            report.date.resolved.earliest.isoformat()[: _ISO_LENGTH[report.date.resolved.precision]]
        )
    return f"{' '.join(parts)} ({doc_id})"


_ISO_LENGTH = {Precision.DAY: 10, Precision.MONTH: 7, Precision.YEAR: 4}


def describe_reports(
    out: Triples,
    article: Article,
    analysis: Analysis,
    reports: Sequence[Report],
    iris: Iris,
    sentence_iris: list[str],
) -> set[str]:
    """Write the article's reports; return the IRIs of the shared entities they name."""
    writer = _ReportWriter(out, article, analysis, iris, sentence_iris)
    for number, report in enumerate(reports, start=1):
        writer.write(number, report)
    return writer.entities
