"""Person names: folding, phonetic codes, nicknames and the forms a name can take.

Shared by clear matching (``matching``) and blinded encoding (``blinding``), so that both
read a name the same way.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz.distance import JaroWinkler

from commonground.domain.subjects.kinds import PersonSubject

NICKNAMES: Mapping[str, str] = {
    nick: full
    for full, nicks in {
        "william": "bill billy will willy liam",
        "robert": "bob bobby rob robbie bert",
        "elizabeth": "liz lizzie beth betty eliza libby betsy",
        "richard": "dick rick ricky rich",
        "james": "jim jimmy jamie",
        "john": "jack johnny jon",
        "joseph": "joe joey",
        "margaret": "maggie meg peggy marge",
        "katherine": "kate katie kathy kat catherine",
        "thomas": "tom tommy",
        "michael": "mike mikey mick",
        "charles": "charlie chuck chas",
        "edward": "ed eddie ted ned",
        "anthony": "tony",
        "christopher": "chris kit",
        "daniel": "dan danny",
        "david": "dave davy",
        "matthew": "matt",
        "andrew": "andy drew",
        "nicholas": "nick nicky",
        "alexander": "alex sandy",
        "benjamin": "ben benny",
        "samuel": "sam sammy",
        "jennifer": "jen jenny",
        "patricia": "pat patty trish",
        "susan": "sue susie",
        "deborah": "deb debbie",
        "rebecca": "becky becca",
        "victoria": "vicky tori",
        "jessica": "jess jessie",
        "stephen": "steve steven",
        "timothy": "tim timmy",
        "gregory": "greg",
        "jonathan": "jonny",
        "kenneth": "ken kenny",
        "lawrence": "larry",
        "gerald": "gerry jerry",
        "ronald": "ron ronnie",
        "donald": "don donnie",
        "raymond": "ray",
        "harold": "harry hal",
        "henry": "hank",
        "frederick": "fred freddie",
        "francis": "frank",
        "albert": "al",
        "peter": "pete",
        "theodore": "theo",
        "jacqueline": "jackie",
        "christine": "chris chrissy tina",
        "dorothy": "dot dottie",
        "barbara": "barb babs",
        "abigail": "abby",
        "pamela": "pam",
        "samantha": "sam",
        "alexandra": "alex lexi",
        "joshua": "josh",
        "zachary": "zach zack",
        "nathaniel": "nate nat",
        "jeffrey": "jeff",
        "douglas": "doug",
        "phillip": "phil philip",
        "leonard": "leo len lenny",
        "louis": "lou",
        "eugene": "gene",
        "cynthia": "cindy",
        "judith": "judy",
        "sandra": "sandy",
        "teresa": "terry tess",
        "virginia": "ginny",
    }.items()
    for nick in [full, *nicks.split()]
}
PARTICLES = frozenset(
    [
        "de",
        "del",
        "della",
        "der",
        "di",
        "da",
        "das",
        "dos",
        "du",
        "la",
        "le",
        "van",
        "von",
        "den",
        "ter",
        "st",
        "ste",
        "bin",
        "ibn",
        "al",
    ]
)
_SOUNDEX = {
    **dict.fromkeys("bfpv", "1"),
    **dict.fromkeys("cgjkqsxz", "2"),
    **dict.fromkeys("dt", "3"),
    "l": "4",
    **dict.fromkeys("mn", "5"),
    "r": "6",
}
_ASCII_FOLD = str.maketrans(
    {c: (None if c in "'`." else " ") for c in map(chr, range(128)) if not c.isalpha() and c != " "}
)


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Return ``text`` lower-cased with diacritics and punctuation dropped (José -> jose)."""
    if text.isascii():  # the common case, ~10x faster than decomposing
        return " ".join(text.lower().translate(_ASCII_FOLD).split())
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    letters = [c if c.isalpha() else " " for c in decomposed if c not in "'\u2019`." and not unicodedata.combining(c)]
    return " ".join("".join(letters).split())


def soundex(word: str) -> str:
    """Return the American Soundex code of a folded word ('' for no letters)."""
    letters = [c for c in word if "a" <= c <= "z"]
    if not letters:
        return ""
    code, last = letters[0].upper(), _SOUNDEX.get(letters[0], "")
    for c in letters[1:]:
        digit = _SOUNDEX.get(c, "")
        if digit and digit != last:
            code += digit
        if c not in "hw":
            last = digit
    return (code + "000")[:4]


@dataclass(frozen=True, slots=True)
class NameForm:
    """One way of writing a person's name, folded, as the comparators need it."""

    first: str
    last: str
    last_joined: str = field(init=False)
    last_tokens: tuple[str, ...] = field(init=False)  # parts without particles (de la Cruz)

    def __post_init__(self) -> None:
        object.__setattr__(self, "last_joined", self.last.replace(" ", ""))
        object.__setattr__(
            self, "last_tokens", tuple(t for t in self.last.split() if t not in PARTICLES and len(t) > 1)
        )


@lru_cache(maxsize=65536)
def name_forms(p: PersonSubject) -> tuple[NameForm, ...]:
    """Return the primary name and each alias as (first, last) folded forms."""
    forms = [NameForm(fold(p.first_name or ""), fold(p.last_name or ""))]
    for alias in p.aliases:
        tokens = fold(alias).split()
        if len(tokens) == 1:
            forms.append(NameForm("", tokens[0]))
        elif tokens:
            forms.append(NameForm(tokens[0], " ".join(tokens[1:])))
    return tuple(forms)


@lru_cache(maxsize=65536)
def _swapped_forms(p: PersonSubject) -> tuple[NameForm, ...]:
    return tuple(NameForm(f.last, f.first) for f in name_forms(p))


def first_similarity(a: str, b: str) -> float | None:
    """Return given-name similarity: JW, with nicknames counting as near-exact."""
    if not a or not b:
        return None
    a, b = a.replace(" ", ""), b.replace(" ", "")  # "annik a" is a keying slip for "annika"
    if a == b:
        return 1.0
    if NICKNAMES.get(a, a) == NICKNAMES.get(b, b):
        return 0.97
    return float(JaroWinkler.similarity(a, b))


def last_similarity(a: NameForm, b: NameForm) -> float | None:
    """Return family-name similarity over joined and per-part forms (Garcia-Lopez ~ Garcia)."""
    if not a.last or not b.last:
        return None
    joined_a, joined_b = a.last_joined, b.last_joined
    best = float(JaroWinkler.similarity(joined_a, joined_b))
    if len(a.last_tokens) + len(b.last_tokens) > 2:
        for ta in a.last_tokens or (joined_a,):
            for tb in b.last_tokens or (joined_b,):
                if min(len(ta), len(tb)) >= 3:
                    best = max(best, 0.96 * float(JaroWinkler.similarity(ta, tb)))
    return best
