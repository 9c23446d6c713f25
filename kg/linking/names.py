"""How place names are compared: normalised keys, transliteration skeletons and cue words.

News text spells Arabic place names many ways ("al-Safirah", "Safira", "As Safīrah";
"Deir ez-Zor", "Deir al-Zor", "Deir Ezzor"). Names are compared by a *key* (accents, case,
punctuation and Arabic articles removed) and, as a last resort, by a consonant *skeleton*
that also absorbs vowel spellings ("Hassakeh" ~ "Hasakah"). A trailing or leading cue word
("Aleppo province", "Homs city", "province of Idlib") says which kind of place is meant.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum
from functools import lru_cache

# Arabic definite articles as transliterated, with the sun-letter assimilations ("ash-Sham",
# "ad-Dana", "ez-Zor"); dropped wherever they stand as a word of their own.
ARTICLES = frozenset("al el il ul ar er as es ash esh ad ed adh at et ath az ez an en".split())
# Generic elements of Arabic place names ("hill", "village", "monastery"...), spelled one
# way in keys: "Tal Hamis" is GeoNames' "Tall Ḩamīs", "Kafar Takharim" its "Kafr Takhārīm".
TOPONYM_WORDS = {
    **dict.fromkeys(["tell", "tall", "tel"], "tal"),
    **dict.fromkeys(["kafar", "kfar", "kefr", "kufr"], "kafr"),
    **dict.fromkeys(["dayr", "dair", "der"], "deir"),
    **dict.fromkeys(["jebel", "jabel", "jbel"], "jabal"),
    **dict.fromkeys(["khirbat", "khirbit", "kherbet"], "khirbet"),
    **dict.fromkeys(["ayn", "ein"], "ain"),
    **dict.fromkeys(["shaykh", "shaikh", "cheikh", "sheik"], "sheikh"),
    **dict.fromkeys(["abou", "abo"], "abu"),
    **dict.fromkeys(["bayt", "beyt"], "beit"),
    **dict.fromkeys(["um", "om", "oum"], "umm"),
    **dict.fromkeys(["beni"], "bani"),
}
# Letters NFKD does not decompose into an ASCII base letter.
_FOLD = str.maketrans({"ı": "i", "ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ß": "ss", "æ": "ae"})
_APOSTROPHES = re.compile(r"['’‘ʼʻʿʾ`´]")
_POSSESSIVE = re.compile(r"['’]s?$")
_LEADING_THE = re.compile(r"^the\s+", re.IGNORECASE)
_NON_WORD = re.compile(r"[^a-z0-9]+")
_VOWELS = re.compile(r"[aeiouy]+")
_REPEATS = re.compile(r"(.)\1+")
_SILENT_H = re.compile(r"(?<=[aeiouy])h$")


class Cue(StrEnum):
    """The kind of place a cue word in the name asks for."""

    CITY = "city"
    PROVINCE = "province"
    DISTRICT = "district"


DIVISION_WORDS = frozenset({"province", "governorate", "governate"})
CUE_WORDS = {
    "city": Cue.CITY,
    "town": Cue.CITY,
    "village": Cue.CITY,
    "province": Cue.PROVINCE,
    "governorate": Cue.PROVINCE,
    "governate": Cue.PROVINCE,
    "countryside": Cue.PROVINCE,
    "district": Cue.DISTRICT,
}


def fold(text: str) -> str:
    """Lower-case ASCII letters and digits separated by single spaces.

    Apostrophes and ʿayn marks vanish inside words ("Sha'irat" is "shairat"); any other
    punctuation separates words. Letters of other scripts are dropped.

    Example:
        >>> fold("Ash Sha'irat"), fold("Ḩamāh"), fold("Deir ez-Zor")
        ('ash shairat', 'hamah', 'deir ez zor')
    """
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD).casefold())
    ascii_text = decomposed.translate(_FOLD).encode("ascii", "ignore").decode("ascii")
    return _NON_WORD.sub(" ", _APOSTROPHES.sub("", ascii_text)).strip()


def clean(name: str) -> str:
    """Strip what is not part of a name: a leading "the", a trailing possessive, spaces.

    Example:
        >>> clean("  the Syria's "), clean("Homs'")
        ('Syria', 'Homs')
    """
    text = " ".join(name.split())
    text = _LEADING_THE.sub("", text)
    return _POSSESSIVE.sub("", text).strip()


def name_key(name: str) -> str:
    """The key names are indexed and looked up by: folded, without Arabic articles, with
    one spelling for the common generic words of Arabic toponyms ("Tell", "Kafr", "Deir").

    A name made only of articles keeps them, so that it still has a key.

    Example:
        >>> name_key("al-Safirah"), name_key("As Safīrah"), name_key("Deir al-Zor")
        ('safirah', 'safirah', 'deir zor')
        >>> name_key("Tal Hamis"), name_key("Tall Ḩamīs"), name_key("The Hague")
        ('tal hamis', 'tal hamis', 'hague')
    """
    words = fold(clean(name)).split()
    kept = [TOPONYM_WORDS.get(word, word) for word in words if word not in ARTICLES]
    return " ".join(kept or words)


@lru_cache(maxsize=100_000)
def cached_name_key(name: str) -> str:
    """``name_key``, remembered: an article's names are keyed again for every name linked,
    and news repeats names."""
    return name_key(name)


def skeleton(name: str) -> str:
    """A loose transliteration key: consonants only, doubled letters single, no spaces.

    It lets vowel and doubling variants of one Arabic name meet ("Hassakeh", "Hasakah";
    "Khan Sheikhoun", "Khan Shaykhun"; "Kafranbel", "Kafr Nabl"). Matches on it are weak
    evidence and only used when nothing matches by key.

    Example:
        >>> skeleton("Hassakeh"), skeleton("Al-Hasakah")
        ('hsk', 'hsk')
        >>> skeleton("Deir Ezzor") == skeleton("Deir el-Zour") == skeleton("Deir ez-Zor")
        True
    """
    return key_skeleton(name_key(name))


def key_skeleton(key: str) -> str:
    """The ``skeleton`` of a name already turned into its ``name_key``.

    Example:
        >>> key_skeleton("khan sheikhoun"), key_skeleton("khan shaykhun")
        ('khnshkhn', 'khnshkhn')
    """
    parts = []
    for word in key.split():
        word = _SILENT_H.sub("", word)  # "-ah"/"-eh" endings are silent
        word = word.replace("q", "k").replace("dj", "j").replace("ph", "f")
        parts.append(_VOWELS.sub("", word))
    return _REPEATS.sub(r"\1", "".join(parts))


def split_cue(name: str) -> tuple[str, Cue | None]:
    """Separate a cue word from the name it qualifies.

    Handles "X province", "X city", "province of X", "city of X" (any case).

    Example:
        >>> split_cue("Idlib Province"), split_cue("province of Deir Ezzor")
        (('Idlib', <Cue.PROVINCE: 'province'>), ('Deir Ezzor', <Cue.PROVINCE: 'province'>))
        >>> split_cue("Homs")
        ('Homs', None)
    """
    text = clean(name)
    words = text.split()
    if len(words) < 2:
        return text, None
    last, first = words[-1].casefold(), words[0].casefold()
    if last in CUE_WORDS:
        return clean(" ".join(words[:-1])), CUE_WORDS[last]
    if first in CUE_WORDS and len(words) > 2 and words[1].casefold() == "of":
        return clean(" ".join(words[2:])), CUE_WORDS[first]
    return text, None


def strip_division(name: str) -> str | None:
    """The name of a division without "province"/"governorate", if it has the word.

    Example:
        >>> strip_division("Idlib Governorate"), strip_division("Damascus countryside")
        ('Idlib', None)
    """
    base, cue = split_cue(name)
    removed = set(fold(name).split()) - set(fold(base).split())
    return base if cue is Cue.PROVINCE and removed <= DIVISION_WORDS else None


def split_parent(name: str) -> tuple[str, str | None]:
    """Split an "X, Y" name into the place and its parent cue.

    Example:
        >>> split_parent("Saraqeb, Idlib"), split_parent("Homs")
        (('Saraqeb', 'Idlib'), ('Homs', None))
    """
    head, comma, tail = name.partition(",")
    if comma and head.strip() and tail.strip():
        return head.strip(), tail.strip()
    return name.strip(), None
