"""Text normalisation shared by the scorers: names, free-text phrases, numbers and dates.

Every comparison of names in ``kg.evaluate`` goes through these functions, so that one rule
decides what "the same name" means everywhere (gold fields, crowd labels, entity labels).
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Iterable

# Arabic article forms, assimilated or not ("al-", "ash-", "ez-"), and English "the": names
# are compared without them, so "al-Safirah" is "Safirah" and "Ash Sha'irat" is "Sha'irat".
_ARTICLES = frozenset("al el ad adh ar as ash at ath az an ed er es esh et ez en ul the".split())
_ADMIN_WORDS = frozenset("province governorate governate muhafazat region district".split())
# Words that say what kind of place a name is, not which: "Homs city", "the town of Atareb".
_DESCRIPTORS = frozenset("city town village".split())
_STOPWORDS = frozenset(
    "a an the of for in on at to by with and or near its their his her from s some several "
    "where which that who whose".split()
)
# Words after which a noun phrase goes on as a post-modifier: its head is the word before.
_POSTMODIFIER = frozenset(
    "of for in on at near by with from to inside outside where which that who whose "
    "containing belonging run held used controlled operated housing".split()
)
_WORD = re.compile(r"[^\W_]+")
_UNITS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen "
        "fourteen fifteen sixteen seventeen eighteen nineteen".split()
    )
}
_TENS = {
    w: 10 * i
    for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)
}
_SCALES = {"hundred": 100, "thousand": 1000, "dozen": 12}
_DATE_FORMATS = (
    "%a %d %b %Y",
    "%a %b %d %Y",
    "%d %b %Y",
    "%d %B %Y",
    "%b %d %Y",
    "%B %d %Y",
    "%d.%m.%Y",
    "%d-%m-%Y",
    "%d/%m/%Y",
    "%Y-%m-%d",
)


def fold(text: str) -> str:
    """Case- and accent-folded text with apostrophes removed.

    Example:
        >>> fold("Ash Sha’irat Ç")
        'ash shairat c'
    """
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"['’‘`´]", "", plain).casefold()


def words(text: str) -> list[str]:
    """The folded words of ``text`` (hyphens and punctuation split words).

    Example:
        >>> words("Iran-backed militias, al-Bukamal")
        ['iran', 'backed', 'militias', 'al', 'bukamal']
    """
    return _WORD.findall(fold(text))


def place_key(name: str, *, strip_admin: bool = False) -> str:
    """The form place names are compared in: folded, without Arabic or English articles.

    Args:
        name: a place name as written.
        strip_admin: also drop words like "Governorate" or "province", for comparing a
            first-level division's name with a bare name ("Aleppo Governorate" ~ "Aleppo").

    Example:
        >>> place_key("al-Safirah") == place_key("Safirah"), place_key("Idlib Governorate")
        (True, 'idlib province')
        >>> place_key("Aleppo Governorate", strip_admin=True), place_key("the town of Atareb")
        ('aleppo', 'atareb')
    """
    tokens = words(name)
    kept = [t for t in tokens if t not in _ARTICLES] or tokens
    if len(kept) > 2 and kept[0] in _DESCRIPTORS and kept[1] == "of":
        kept = kept[2:]
    if len(kept) > 1 and kept[-1] in _DESCRIPTORS:
        kept = kept[:-1]
    if strip_admin:
        kept = [t for t in kept if t not in _ADMIN_WORDS] or kept
    # "governorate" and "province" name the same kind of place in news text.
    return " ".join("province" if t in _ADMIN_WORDS else t for t in kept)


def singular(word: str) -> str:
    """A crude singular, enough to make "militias" meet "militia".

    Example:
        >>> singular("militias"), singular("barracks"), singular("facilities"), singular("gas")
        ('militia', 'barrack', 'facility', 'gas')
    """
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def content_words(text: str) -> frozenset[str]:
    """The singular content words of a phrase (stopwords and Arabic articles left out).

    Example:
        >>> sorted(content_words("the Iran-backed militia groups"))
        ['backed', 'group', 'iran', 'militia']
    """
    return frozenset(singular(w) for w in words(text) if w not in _STOPWORDS | _ARTICLES)


def head_noun(text: str) -> str | None:
    """The head of a noun phrase: its last word before any post-modifier.

    Example:
        >>> head_noun("base for Lebanon's Hezbollah militia"), head_noun("army barracks")
        ('base', 'barrack')
        >>> head_noun("checkpoint run by U.S.-backed fighters")
        'checkpoint'
    """
    tokens = [w for w in words(text) if w not in {"a", "an", "the"}]
    for i, token in enumerate(tokens):
        if i > 0 and token in _POSTMODIFIER:
            tokens = tokens[:i]
            break
    return singular(tokens[-1]) if tokens else None


def conjuncts(text: str) -> list[str]:
    """The parts of a coordinated phrase ("aid trucks and a warehouse"), the whole first.

    Example:
        >>> conjuncts("Syria and intelligence sources")
        ['Syria and intelligence sources', 'Syria', 'intelligence sources']
    """
    parts = [p.strip() for p in re.split(r",|&|\band\b", text) if p.strip()]
    return [text.strip(), *parts] if len(parts) > 1 else [text.strip()]


def similar_phrases(gold: str, predicted: str) -> bool:
    """Whether two free-text phrases name the same thing: same head noun, or most words.

    "Most words" is a Dice coefficient of at least 0.5 over content words.

    Example:
        >>> similar_phrases("military barracks", "army barracks")
        True
        >>> similar_phrases("Iranian-backed militias", "Iran-backed militia groups")
        True
        >>> similar_phrases("base for Lebanon's Hezbollah militia", "Hezbollah")
        False
    """
    head = head_noun(gold)
    if head is not None and head == head_noun(predicted):
        return True
    a, b = content_words(gold), content_words(predicted)
    # Dice >= 0.5: 2|a & b| / (|a| + |b|) >= 1/2.
    return bool(a and b) and 4 * len(a & b) >= len(a) + len(b)


def parse_count(text: str | None) -> int | None:
    """The first number a casualty label gives, in digits or words ("twenty-one civilians").

    A label opening with "a"/"an" ("a child") counts one.

    Example:
        >>> parse_count("Three civilians"), parse_count("21 people"), parse_count("a child")
        (3, 21, 1)
        >>> parse_count("twenty-one dead"), parse_count("two hundred"), parse_count("dozens")
        (21, 200, None)
    """
    if not text:
        return None
    tokens = words(text.replace(",", ""))
    for i, token in enumerate(tokens):
        if token.isdigit():
            return int(token)
        if token in _UNITS or token in _TENS:
            return _number_words(tokens[i:])
    return 1 if tokens and tokens[0] in {"a", "an"} else None


def _number_words(tokens: Iterable[str]) -> int:
    total = current = 0
    for token in tokens:
        if token in _UNITS:
            current += _UNITS[token]
        elif token in _TENS:
            current += _TENS[token]
        elif token in _SCALES:
            current = max(current, 1) * _SCALES[token]
            if _SCALES[token] >= 1000:
                total, current = total + current, 0
        elif token != "and":
            break
    return total + current


def parse_crowd_date(text: str | None) -> datetime.date | None:
    """Parse a crowd label's date ("Fri 07 Apr 2017", "24.07.2016", "April 19 2017").

    Numeric dates are read day first, as the crowd wrote them.

    Example:
        >>> parse_crowd_date("Fri 07 Apr 2017"), parse_crowd_date("03-07-2015")
        (datetime.date(2017, 4, 7), datetime.date(2015, 7, 3))
        >>> parse_crowd_date("sometime in 2016") is None
        True
    """
    if not text:
        return None
    cleaned = " ".join(text.replace(",", " ").split())
    for fmt in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(cleaned, fmt).date()
        except ValueError:
            continue
    return None
