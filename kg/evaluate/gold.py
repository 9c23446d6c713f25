"""Reading the gold standard (``gold-*.jsonl``) and the FA-KES crowd labels.

The files follow the annotation guidelines (``ANNOTATION.md`` of the evaluation data). Gold values
are checked against the guidelines' vocabularies on reading, so that a typo in a gold file
is reported with its file and line instead of silently scoring as a miss.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.errors import KGError
from kg.ingest import Article, read_articles

TYPES = frozenset(
    {"Strike", "AirStrike", "DroneStrike", "MissileStrike", "RocketOrArtilleryStrike", "Bombing"}
)
# Gold weapon words -> the ``sk:`` weapon concepts they stand for.
WEAPONS = {
    "missile": "Missile",
    "rocket": "Rocket",
    "aircraft": "Aircraft",
    "helicopter": "Helicopter",
    "drone": "Drone",
    "artillery": "Artillery",
    "barrel bomb": "BarrelBomb",
    "car bomb": "CarBomb",
    "suicide bomb": "SuicideBomb",
    "ied": "IED",
    "other": "OtherWeapon",
}
OUTCOMES = {
    "destroyed": "Destroyed",
    "damaged": "Damaged",
    "intercepted": "Intercepted",
    "missed": "Missed",
    "unknown": "UnknownOutcome",
}
STATUSES = {
    "reported": "Reported",
    "claimed": "Claimed",
    "unconfirmed": "Unconfirmed",
    "denied": "Denied",
}
PRECISIONS = {"day": "Day", "month": "Month", "year": "Year"}
_PRECISION_BY_LENGTH = {10: "Day", 7: "Month", 4: "Year"}


class EvaluationError(KGError):
    """A gold or crowd file cannot be read, or the evaluation cannot run."""


@dataclass(frozen=True)
class GoldEvent:
    """One annotated strike event; controlled values are ``sk:`` local names.

    Attributes:
        doc_id: the article's id, by the project's own id rule.
        index: position of the event in its article's line (0-based).
        date: ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``; ``precision`` says which.
        evidence: the article's sentences that describe the strike, verbatim.
    """

    doc_id: str
    index: int
    type: str
    attacker: str | None = None
    attacker_text: str | None = None
    target: str | None = None
    location: str | None = None
    location_geonames: int | None = None
    country: str | None = None
    date: str | None = None
    precision: str | None = None
    weapon: str | None = None
    outcome: str | None = None
    killed: int | None = None
    injured: int | None = None
    attributed_to: str | None = None
    status: str | None = None
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class GoldPlace:
    """A place the gold lists among an article's entities: as written, its canonical name,
    and its GeoNames id where the annotators gave one."""

    text: str
    canonical: str | None
    geonames: int | None


@dataclass(frozen=True)
class GoldDoc:
    """One line of a gold file: an article, every strike it describes and, when the gold
    lists its entities, every place it names (``places`` is ``None`` otherwise)."""

    doc_id: str
    origin: str
    events: tuple[GoldEvent, ...]
    places: tuple[GoldPlace, ...] | None = None


@dataclass(frozen=True)
class CrowdRow:
    """The crowd's labels for an article's main event, as free text (``None`` if blank)."""

    doc_id: str
    location: str | None
    cause: str | None
    actor: str | None
    civilians: str | None
    non_civilians: str | None
    children: str | None
    women: str | None
    date: str | None


def read_gold(path: Path) -> list[GoldDoc]:
    """Read a gold file, giving each article the id the project would give it.

    Raises:
        EvaluationError: unreadable JSON, an unknown controlled value, or a ``file`` that
            cannot be read as an article.
    """
    docs = []
    for line_no, record in _records(path):
        origin = f"{path}:{line_no}"
        doc_id = _doc_id(record, path, origin)
        events = tuple(
            _event(doc_id, i, raw, origin) for i, raw in enumerate(record.get("events") or [])
        )
        docs.append(GoldDoc(doc_id, origin, events, _places(record.get("entities"), origin)))
    return docs


def _places(entities: object, origin: str) -> tuple[GoldPlace, ...] | None:
    if entities is None:
        return None
    if not isinstance(entities, list) or not all(isinstance(e, dict) for e in entities):
        raise EvaluationError(f"{origin}: entities must be a list of objects")
    return tuple(
        GoldPlace(text, _text(e.get("canonical")), _int(e.get("geonames"), origin))
        for e in entities
        if e.get("kind") == "Place" and (text := _text(e.get("text"))) is not None
    )


def read_crowd(path: Path) -> list[CrowdRow]:
    """Read the crowd labels file (one JSON object a line, keys as in FA-KES)."""

    def cell(record: dict[str, Any], key: str) -> str | None:
        value = record.get(key)
        return str(value).strip() or None if value is not None else None

    return [
        CrowdRow(
            doc_id=str(record["doc"]),
            location=cell(record, "Location"),
            cause=cell(record, "Cause-Of-Death"),
            actor=cell(record, "Actor"),
            civilians=cell(record, "Civilians"),
            non_civilians=cell(record, "NonCivilians"),
            children=cell(record, "Children"),
            women=cell(record, "Women"),
            date=cell(record, "Date"),
        )
        for _, record in _records(path, required="doc")
    ]


def _records(path: Path, required: str | None = None) -> list[tuple[int, dict[str, Any]]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise EvaluationError(f"cannot read {path}: {error}") from None
    records = []
    for line_no, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise EvaluationError(f"{path}:{line_no}: not a JSON object: {error}") from None
        if not isinstance(record, dict) or (required and required not in record):
            raise EvaluationError(f"{path}:{line_no}: expected a JSON object with {required!r}")
        records.append((line_no, record))
    return records


def _doc_id(record: dict[str, Any], path: Path, origin: str) -> str:
    """The article's id: read from its seed ``file`` when given, else the line's ``doc``.

    A seed file without an ID of its own gets a placeholder ``doc`` in the gold file;
    reading the file gives the id the pipeline really stores it under.
    """
    if record.get("file"):
        return _file_doc_id(path.parent.parent / "corpus" / str(record["file"]), origin)
    if record.get("doc"):
        return str(record["doc"])
    raise EvaluationError(f"{origin}: a gold line needs 'doc' (the article id) or 'file'")


def _file_doc_id(article_path: Path, origin: str) -> str:
    for item in read_articles([article_path]):
        if isinstance(item, Article):
            return item.doc_id
        raise EvaluationError(f"{origin}: cannot read the article it names: {item}")
    raise EvaluationError(f"{origin}: {article_path} holds no article")


def _event(doc_id: str, index: int, raw: dict[str, Any], origin: str) -> GoldEvent:
    where = f"{origin}: event {index}"
    date = _text(raw.get("date"))
    precision = _controlled(raw.get("date_precision"), PRECISIONS, where, "date_precision")
    if date is not None and precision is None:
        precision = _PRECISION_BY_LENGTH.get(len(date))
    if date is not None and _PRECISION_BY_LENGTH.get(len(date)) != precision:
        raise EvaluationError(f"{where}: date {date!r} is not written at {precision} precision")
    evidence = raw.get("evidence") or []
    if isinstance(evidence, str):
        evidence = [evidence]
    return GoldEvent(
        doc_id=doc_id,
        index=index,
        type=_type(raw.get("type"), where),
        attacker=_text(raw.get("attacker")),
        attacker_text=_text(raw.get("attacker_text")),
        target=_text(raw.get("target")),
        location=_text(raw.get("location")),
        location_geonames=_int(raw.get("location_geonames"), where),
        country=_text(raw.get("country")),
        date=date,
        precision=precision,
        weapon=_controlled(raw.get("weapon"), WEAPONS, where, "weapon"),
        outcome=_controlled(raw.get("outcome"), OUTCOMES, where, "outcome"),
        killed=_int(raw.get("killed"), where),
        injured=_int(raw.get("injured"), where),
        attributed_to=_text(raw.get("attributed_to")),
        status=_controlled(raw.get("status"), STATUSES, where, "status"),
        evidence=tuple(str(e) for e in evidence if str(e).strip()),
    )


def _text(value: object) -> str | None:
    return str(value).strip() or None if value is not None else None


def _int(value: object, where: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(str(value))
    except ValueError:
        raise EvaluationError(f"{where}: expected a whole number, got {value!r}") from None


def _type(value: object, where: str) -> str:
    if value not in TYPES:
        raise EvaluationError(f"{where}: type must be one of {', '.join(sorted(TYPES))}")
    return str(value)


def _controlled(value: object, vocabulary: dict[str, str], where: str, field: str) -> str | None:
    text = _text(value)
    if text is None:
        return None
    if text.casefold() not in vocabulary:
        raise EvaluationError(
            f"{where}: {field} {text!r} is not one of {', '.join(sorted(vocabulary))}"
        )
    return vocabulary[text.casefold()]
