"""Evaluation: the store's strike reports scored against gold events and crowd labels.

The scoring rules are those of the evaluation data's README:

- events: a report matches a gold event when their evidence overlaps (shared characters
  of the article), pairs taken by largest overlap first (``kg.evaluate.matching``);
  unmatched reports are false positives, unmatched gold events false negatives;
- fields: on matched pairs, accuracy; end to end, F1 where unmatched reports' values and
  values given where the gold has none are false positives (``kg.evaluate.fields``, which
  documents the rule of each field, joint attacks included);
- crowd labels: agreement of each article's main report with the FA-KES crowd labels, by
  exact names, and coverage (``kg.evaluate.crowd``).

Modules: ``gold`` reads gold and crowd files, ``predicted`` reads reports from the store,
``matching`` pairs them, ``actors`` and ``text`` normalise names, ``fields`` and ``crowd``
compare values, ``scoring`` runs it all, ``report`` prints it.

Example:
    >>> from kg.store import KGStore
    >>> result = evaluate(KGStore(), [])
    >>> result.events.counts
    Counts(tp=0, fp=0, fn=0)
"""

from kg.evaluate.crowd import CrowdAspect, CrowdScore
from kg.evaluate.gold import EvaluationError, read_crowd, read_gold
from kg.evaluate.report import render, to_dict
from kg.evaluate.results import (
    Counts,
    EvaluationResult,
    EventScore,
    EvidenceCounts,
    FieldScore,
    MatchedPair,
)
from kg.evaluate.scoring import evaluate, evaluate_fresh

__all__ = [
    "Counts",
    "CrowdAspect",
    "CrowdScore",
    "EvaluationError",
    "EvaluationResult",
    "EventScore",
    "EvidenceCounts",
    "FieldScore",
    "MatchedPair",
    "evaluate",
    "evaluate_fresh",
    "read_crowd",
    "read_gold",
    "render",
    "to_dict",
]
