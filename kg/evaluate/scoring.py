"""``evaluate``: score the reports in a store against gold files and crowd labels."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kg.config import Settings
from kg.errors import KGError
from kg.evaluate.actors import ActorResolver
from kg.evaluate.crowd import CrowdScore, score_crowd
from kg.evaluate.fields import FieldJudges, FieldRule
from kg.evaluate.gold import EvaluationError, GoldDoc, GoldEvent, read_crowd, read_gold
from kg.evaluate.matching import FoldedText, LocatedEvent, Pair, locate_event, pair_events
from kg.evaluate.places import load_place_mentions, score_places
from kg.evaluate.predicted import PredictedReport, StoredArticle, load_articles, load_reports
from kg.evaluate.results import (
    Counts,
    EvaluationResult,
    EventScore,
    EvidenceCounts,
    FieldScore,
    MatchedPair,
    PlaceScore,
)
from kg.gazetteer import Gazetteer
from kg.store import KGStore

if TYPE_CHECKING:
    from kg.pipeline import IngestReport


def evaluate(
    store: KGStore,
    gold_paths: Sequence[Path | str],
    crowd_path: Path | str | None = None,
    *,
    gazetteer: Gazetteer | None = None,
) -> EvaluationResult:
    """Score the store's reports against gold events and, optionally, crowd labels.

    Only the gold files' articles are scored for events; crowd rows only for articles the
    store holds.

    Args:
        store: the store holding articles and reports.
        gold_paths: gold files (JSON Lines, in the format of the annotation guidelines).
        crowd_path: the FA-KES crowd labels file, if wanted.
        gazetteer: resolves actor names; the shipped gazetteer by default.

    Raises:
        EvaluationError: a gold or crowd file is unreadable, or an article is in two gold
            files.
    """
    gold = _read_gold_files([Path(p) for p in gold_paths])
    crowd_rows = read_crowd(Path(crowd_path)) if crowd_path is not None else []
    articles = load_articles(store)
    wanted = {d.doc_id for d in gold} | {r.doc_id for r in crowd_rows}
    reports = _by_doc(load_reports(store, [a for i, a in articles.items() if i in wanted]))
    resolver = ActorResolver(gazetteer)
    tally = _Tally(FieldJudges(resolver).rules())
    for doc in gold:
        tally.add_doc(doc, articles.get(doc.doc_id), reports.get(doc.doc_id, []))
    crowd = None
    if crowd_path is not None:
        crowd = score_crowd(crowd_rows, set(articles), reports, resolver)
    listed = [articles[d.doc_id] for d in gold if d.places is not None and d.doc_id in articles]
    places = score_places(gold, load_place_mentions(store, listed))
    return tally.result(crowd, places)


def evaluate_fresh(
    sources: Sequence[str | Path],
    gold_paths: Sequence[Path | str],
    crowd_path: Path | str | None = None,
    *,
    settings: Settings,
    progress: bool = False,
    on_error: Callable[[KGError], None] | None = None,
) -> tuple[IngestReport, EvaluationResult]:
    """Ingest articles into a temporary in-memory store and score that run.

    Args:
        sources: article files, directories or globs, as for ``kg ingest``.
        gold_paths: gold files.
        crowd_path: the crowd labels file, if wanted.
        settings: model, batch size and worker processes of the run.
        progress: show a progress bar on stderr.
        on_error: called with each input skipped as bad.
    """
    from kg.pipeline import ingest  # spaCy loads only for a fresh run

    with KGStore() as store:
        report = ingest(sources, store, settings, progress=progress, on_error=on_error)
        return report, evaluate(store, gold_paths, crowd_path)


def _read_gold_files(paths: Iterable[Path]) -> list[GoldDoc]:
    docs: dict[str, GoldDoc] = {}
    for path in paths:
        for doc in read_gold(path):
            if doc.doc_id in docs:
                raise EvaluationError(
                    f"{doc.origin}: article {doc.doc_id} is already in {docs[doc.doc_id].origin}; "
                    "give each article one gold line"
                )
            docs[doc.doc_id] = doc
    return list(docs.values())


def _by_doc(reports: Iterable[PredictedReport]) -> dict[str, list[PredictedReport]]:
    grouped: dict[str, list[PredictedReport]] = defaultdict(list)
    for report in reports:
        grouped[report.doc_id].append(report)
    return grouped


@dataclass
class _FieldTally:
    rule: FieldRule
    n: int = 0
    correct: int = 0
    counts: Counts = field(default_factory=Counts)

    def freeze(self) -> FieldScore:
        return FieldScore(self.rule.name, self.n, self.correct, self.counts)


class _Tally:
    """Accumulates event and field counts article by article."""

    def __init__(self, rules: Sequence[FieldRule]) -> None:
        self.fields = [_FieldTally(rule) for rule in rules]
        self.events = Counts()
        self.evidence = EvidenceCounts()
        self.docs = self.gold_events = self.reports = 0
        self.missing_docs: list[str] = []
        self.pairs: list[MatchedPair] = []
        self.missed: list[tuple[str, int]] = []
        self.extra: list[str] = []

    def add_doc(
        self, doc: GoldDoc, article: StoredArticle | None, reports: Sequence[PredictedReport]
    ) -> None:
        self.docs += 1
        self.gold_events += len(doc.events)
        self.reports += len(reports)
        if article is None:
            self.missing_docs.append(doc.doc_id)
            located = [LocatedEvent(event, ()) for event in doc.events]
        else:
            text = FoldedText(article.text)
            located = [locate_event(event, text) for event in doc.events]
            self.evidence = EvidenceCounts(
                self.evidence.exact + sum(e.exact for e in located),
                self.evidence.fuzzy + sum(e.fuzzy for e in located),
                self.evidence.missing + sum(e.missing for e in located),
            )
        pairs, missed, extra = pair_events(located, reports, self._agreement)
        self.events += Counts(len(pairs), len(extra), len(missed))
        for pair in pairs:
            self._add_pair(pair)
        for event in missed:
            self.missed.append((event.event.doc_id, event.event.index))
            self._add_alone(event, None)
        for report in extra:
            self.extra.append(report.iri)
            self._add_alone(None, report)

    def _agreement(self, event: GoldEvent, report: PredictedReport) -> int:
        """How many fields the report gets right for the event (to break overlap ties)."""
        return sum(
            t.rule.judge(event, report).correct for t in self.fields if t.rule.applies(event)
        )

    def _add_pair(self, pair: Pair) -> None:
        wrong = []
        for tally in self.fields:
            if not tally.rule.applies(pair.gold.event):
                continue
            verdict = tally.rule.judge(pair.gold.event, pair.report)
            tally.n += 1
            tally.correct += verdict.correct
            tally.counts += verdict
            if not verdict.correct:
                wrong.append(tally.rule.name)
        event = pair.gold.event
        self.pairs.append(
            MatchedPair(event.doc_id, event.index, pair.report.iri, pair.overlap, tuple(wrong))
        )

    def _add_alone(self, gold: LocatedEvent | None, report: PredictedReport | None) -> None:
        for tally in self.fields:
            if gold is not None and not tally.rule.applies(gold.event):
                continue
            if report is not None and not tally.rule.counts_extra_reports:
                continue
            verdict = tally.rule.judge(gold.event if gold else None, report)
            tally.counts += verdict

    def result(self, crowd: CrowdScore | None, places: PlaceScore | None) -> EvaluationResult:
        events = EventScore(
            counts=self.events,
            gold_docs=self.docs,
            missing_docs=tuple(self.missing_docs),
            gold_events=self.gold_events,
            reports=self.reports,
            evidence=self.evidence,
        )
        return EvaluationResult(
            events=events,
            fields=tuple(t.freeze() for t in self.fields),
            pairs=tuple(self.pairs),
            missed=tuple(self.missed),
            extra=tuple(self.extra),
            crowd=crowd,
            places=places,
        )
