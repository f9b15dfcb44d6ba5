"""Words the tool writes itself, per language: suggested type names, taglines, guesses.

Every text a reader sees is either the study's own text (statements, theme names,
edited names in ``types.yaml``) or comes from a template in one of the languages of
:data:`LANGUAGES`. The report's templates live in ``report/i18n/<lang>.yaml``; this
module holds the small grammar that names the types and writes their taglines, so
that a Swedish study gets "Prisjägaren" or "Gruppen som ligger högt på trädgård", never
"The high pris".

The grammar has two layers:

* a **lexicon** of themes a shopping study often has (price, convenience,
  inspiration, loyalty ...), recognised by keywords in English, Swedish and Dutch
  theme names, each with a persona name per language and direction
  (high: "The bargain hunter" / "Prisjägaren"; low: "The price-relaxed buyer" /
  "Den priståliga"). Its nouns are a shopper's, so they are used only where they
  fit: the whole theme name is the lexicon's theme (every word a keyword of it or a
  qualifier such as "focus"; "social reading" is not "social proof"), and the study
  does not say it is about something else (:func:`lexicon_applies`);
* a **pattern** for any other theme, which keeps the study's theme name as written
  with a neutral noun and says the pole plainly ("The group high on pris" /
  "Gruppen som ligger lågt på trädgård").

Examples
--------
>>> type_name("price_focus", high=True, lang="sv")
'Prisjägaren'
>>> type_name("trädgård", high=True, lang="sv")
'Gruppen som ligger högt på trädgård'
>>> type_name("social_reading", high=False, lang="en")
'The group low on social reading'
>>> tagline([("pris", True), ("bekvämlighet", False)], lang="sv")
'Högt på pris, lågt på bekvämlighet.'
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from dataclasses import dataclass

__all__ = [
    "said",
    "counted",
    "LANGUAGES",
    "NAME_LANGUAGES",
    "guess_language",
    "lexicon_word",
    "lexicon_applies",
    "SHOPPING_SHARE",
    "type_name",
    "name_extra",
    "tagline",
    "reason_text",
    "output_language",
    "level_name",
    "level_tagline",
    "factor_label",
    "theme_part",
]

#: Languages the report and the suggested names are written in.
LANGUAGES = ("en", "sv")
#: Languages the type-name grammar knows (others fall back to English).
NAME_LANGUAGES = ("en", "sv")


@dataclass(frozen=True)
class _Concept:
    """A theme the lexicon knows: keywords (any language) and a persona name per language."""

    keywords: tuple[str, ...]
    high: dict[str, str]
    low: dict[str, str]


# Keywords are matched at the start of a word of the theme name ("pris" in "prismedvetenhet",
# "price" in "price_focus"); keywords of 5 letters or more also inside a word ("lågpris").
_LEXICON: tuple[_Concept, ...] = (
    _Concept(("price", "bargain", "discount", "deal", "cost", "saving", "cheap",
              "pris", "billig", "rabatt", "erbjud", "kostnad", "spar",
              "prijs", "korting", "aanbieding", "goedkoop", "besparing"),
             {"en": "Bargain hunter", "sv": "Prisjägaren"},
             {"en": "Price-relaxed buyer", "sv": "Den priståliga"}),
    _Concept(("inspiration", "explor", "discover", "brows", "novel",
              "inspir", "utforsk", "upptäck", "nyfiken", "nyhet",
              "inspiratie", "ontdek", "nieuwsgier"),
             {"en": "Explorer", "sv": "Utforskaren"},
             {"en": "Focused shopper", "sv": "Den målinriktade"}),
    _Concept(("speed", "convenien", "quick", "fast", "time", "efficien", "easy",
              "snabb", "bekväm", "smidig", "enkel", "tidsbrist", "tidspress",
              "snel", "gemak", "makkelijk", "tijd"),
             {"en": "Quick searcher", "sv": "Den snabba"},
             {"en": "Unhurried shopper", "sv": "Den tålmodiga"}),
    _Concept(("loyal", "habit", "routine", "trust", "brand",
              "lojal", "vana", "rutin", "förtroende", "varumärke", "trogen",
              "trouw", "gewoonte", "vertrouwen", "merk"),
             {"en": "Loyal regular", "sv": "Stamkunden"},
             {"en": "Free agent", "sv": "Den obundna"}),
    _Concept(("social", "review", "peer", "recommend", "friend", "community",
              "recension", "vänner", "tips", "rekommend", "omdöme",
              "sociaal", "recensie", "vrienden", "aanbevel"),
             {"en": "Social shopper", "sv": "Den sociala"},
             {"en": "Independent mind", "sv": "Den självständiga"}),
    _Concept(("research", "compar", "detail", "spec", "informed", "depth",
              "jämför", "undersök", "detalj", "påläst", "informat", "grundlig",
              "vergelijk", "onderzoek", "grondig"),
             {"en": "Thorough researcher", "sv": "Den grundliga"},
             {"en": "Gut-feel buyer", "sv": "Den spontana"}),
    _Concept(("sustain", "eco", "green", "ethic",
              "hållbar", "miljö", "etisk", "grön", "klimat",
              "duurzaam", "milieu", "ethisch", "groen"),
             {"en": "Conscious consumer", "sv": "Den medvetna"},
             {"en": "Pragmatist", "sv": "Pragmatikern"}),
    _Concept(("quality", "premium", "luxury",
              "kvalitet", "lyx", "exklusiv",
              "kwaliteit", "luxe"),
             {"en": "Quality seeker", "sv": "Kvalitetssökaren"},
             {"en": "Good-enough buyer", "sv": "Den nöjsamma"}),
    _Concept(("digital", "app", "mobile", "online",
              "mobil", "nätet", "webb",
              "digitaal"),
             {"en": "Digital native", "sv": "Den digitala"},
             {"en": "Offline preferrer", "sv": "Den analoga"}),
    _Concept(("risk", "safe", "secur", "caution",
              "säker", "trygg", "försikt",
              "veilig", "voorzicht", "zekerheid"),
             {"en": "Cautious buyer", "sv": "Den försiktiga"},
             {"en": "Risk taker", "sv": "Risktagaren"}),
)

# Words a theme name may have besides its concept's keywords and still be the lexicon's
# theme ("price focus", "social proof", "prismedvetenhet" is "pris" + a qualifier).
_QUALIFIERS = frozenset(
    "focus focused proof depth orientation oriented seeking seeker sensitivity sensitive "
    "consciousness conscious need needs importance preference level drive driven and of for "
    "fokus medvetenhet medveten känslighet känslig behov orientering inriktning nivå och av för "
    "gevoeligheid gevoelig bewust behoefte en van voor".split())

# Words that show a study is about buying (its name, or its statements), per language,
# matched at the start of a word only ("shops", "köper"; "bookstore" is not a store, and
# "behandla" is not "handla"); a few compounds are listed whole.
_SHOPPING_WORDS = (
    "buy", "bought", "shop", "store", "purchas", "price", "product", "brand", "retail",
    "customer", "consumer", "commerce", "ecommerce", "checkout", "discount", "cheap", "webshop",
    "köp", "inköp", "handla", "handel", "ehandel", "näthandel", "butik", "nätbutik", "webbutik",
    "pris", "kunden", "kunder", "kundn", "kundu", "kundt", "kundk", "kunds", "konsument",
    "produkt", "beställ", "varor", "erbjud", "rabatt",
    "koop", "kopen", "gekocht", "winkel", "prijs", "klant", "bestel", "aanbieding",
)

#: A study whose statements mention buying in at least this share is a shopping study
#: (see :func:`lexicon_applies`).
SHOPPING_SHARE = 0.2

# Per language: how a lexicon word becomes a name, the pattern for any other theme,
# the short form added to tell two types with the same name apart, and the tagline.
_GRAMMAR: dict[str, dict[str, str]] = {
    "en": {
        "word": "The {word}",             # "The bargain hunter"
        "high": "The group high on {theme}",  # "The group high on social reading"
        "low": "The group low on {theme}",
        "high_most": "The group highest on {theme}",  # the most extreme of types sharing a name
        "low_most": "The group lowest on {theme}",
        # the least extreme of types along one factor's pole (bands: user trial 22)
        "high_mild": "The group somewhat high on {theme}",
        "low_mild": "The group somewhat low on {theme}",
        "tag_high": "high on {theme}",
        "tag_low": "low on {theme}",
        "tag_sep": ", ",
        "tag_end": ".",
        # a type above (below) everyone on every factor by about as much: a general
        # evaluation or answer style, not a profile (see profiles.suggest_names)
        "level_high": "The positive raters",
        "level_low": "The critical raters",
        "level_high_most": "The most positive raters",
        "level_low_most": "The most critical raters",
        "tag_level_high": "High on everything, by about the same amount.",
        "tag_level_low": "Low on everything, by about the same amount.",
        # the same on a survey without reverse-worded statements, where an answer style
        # cannot be told from content (user trial 11): named by content
        "level_high_content": "The group high on all {n} themes",
        "level_low_content": "The group low on all {n} themes",
        "level_high_content_most": "The group highest on all {n} themes",
        "level_low_content_most": "The group lowest on all {n} themes",
        "tag_level_high_content": "High on all {n} themes, by about the same amount.",
        "tag_level_low_content": "Low on all {n} themes, by about the same amount.",
        "numbers": "zero one two three four five six seven eight nine ten",
        # the factor model's label of a factor none of whose top statements has a theme
        "factor": "Factor {n}",
        # a theme split over several factors: its second, third ... factor
        "part": "{theme} (part {n})",
    },
    "sv": {
        "word": "{word}",                  # "Prisjägaren", "Den försiktiga"
        "high": "Gruppen som ligger högt på {theme}",
        "low": "Gruppen som ligger lågt på {theme}",
        "high_most": "Gruppen som ligger högst på {theme}",
        "low_most": "Gruppen som ligger lägst på {theme}",
        "high_mild": "Gruppen som ligger något högt på {theme}",
        "low_mild": "Gruppen som ligger något lågt på {theme}",
        "tag_high": "högt på {theme}",
        "tag_low": "lågt på {theme}",
        "tag_sep": ", ",
        "tag_end": ".",
        "level_high": "De positiva bedömarna",
        "level_low": "De kritiska bedömarna",
        "level_high_most": "De mest positiva bedömarna",
        "level_low_most": "De mest kritiska bedömarna",
        "tag_level_high": "Högt på allt, ungefär lika mycket.",
        "tag_level_low": "Lågt på allt, ungefär lika mycket.",
        "level_high_content": "Gruppen som ligger högt på alla {n} teman",
        "level_low_content": "Gruppen som ligger lågt på alla {n} teman",
        "level_high_content_most": "Gruppen som ligger högst på alla {n} teman",
        "level_low_content_most": "Gruppen som ligger lägst på alla {n} teman",
        "tag_level_high_content": "Högt på alla {n} teman, ungefär lika mycket.",
        "tag_level_low_content": "Lågt på alla {n} teman, ungefär lika mycket.",
        "numbers": "noll en två tre fyra fem sex sju åtta nio tio",
        "factor": "Faktor {n}",
        "part": "{theme} (del {n})",
    },
}

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)

# Evidence of a language in free text: common function words and letters.
_STOPWORDS: dict[str, frozenset[str]] = {
    "sv": frozenset("och att det jag är på för som inte med ett av till om när har kan vill mig min "
                    "mitt vi hur väl eller mycket alltid ofta gärna sig hos den de så innan efter "
                    "helst brukar handlar köper tycker".split()),
    "en": frozenset("the and to of is on for that not with an when have can want my me it how or "
                    "very always often i before after usually buy like rather prefer".split()),
    "nl": frozenset("het een en ik niet van op voor met dat wanneer altijd vaak mijn graag liever "
                    "koop vind meestal".split()),
}
_SWEDISH_LETTERS = re.compile(r"[åäöÅÄÖ]")
#: letters Swedish does not write: a text with one is not Swedish for its å, ä, ö or "-het"
#: (Hungarian "Kötelezés", "lehet", German "Müsli", Danish "være")
_FOREIGN_LETTERS = re.compile(r"[áàâãéèêëíìîïóòôõőúùûüűøæœñçß]", re.IGNORECASE)
_DUTCH_HINTS = re.compile(r"ij|oe|aa|uu", re.IGNORECASE)
_SWEDISH_ENDINGS = re.compile(r"(het|itet|skap|ande|else|arna|orna)$")
_ENGLISH_ENDINGS = re.compile(r"(ing|ness|ity|ship)$")  # not -tion: Swedish has it too


def output_language(*choices: Any) -> str:
    """The first of ``choices`` that is a language of :data:`LANGUAGES` (``"en"`` when none
    is): ``output_language(lang_option, instrument.language)`` is the option when given,
    else the study's language, else English."""
    return next((c for c in choices if c in LANGUAGES), "en")


def said(key: str, lang: str | None = None, **values: Any) -> str:
    """A line the tool prints itself (a notebook's note, a progress line), in ``lang``.

    The line is the template ``key`` of ``report/i18n/<lang>.yaml`` with ``values``;
    ``lang`` other than a language of :data:`LANGUAGES` (``None``) says it in English.

    >>> said("nb_factors_written", "sv", n=3, path="ut")
    '3 faktorer skrivna till ut'
    """
    from .errors import phrase

    return phrase(key, output_language(lang), values)


def counted(n: int, noun: str) -> Any:
    """``n`` with its noun, singular for one: a value for :func:`said` (or an error's values).

    The phrase is the template ``count_<noun>`` of ``report/i18n/<lang>.yaml``, or
    ``count_<noun>_one`` when ``n`` is 1 ("1 tema", "2 teman"; "1 theme", "2 themes").

    >>> said("cli_themes_read", "sv", participants=counted(1, "participants"),
    ...      themes=counted(1, "themes"), quotes=counted(3, "coded_quotes"), path="k.csv")
    'Läste 1 deltagare, 1 tema, 3 kodade citat från k.csv'
    """
    from .errors import Said

    n = int(n)
    return Said(f"count_{noun}_one" if n == 1 else f"count_{noun}", {"n": n})


def guess_language(texts: Iterable[str]) -> str | None:
    """The language of some study texts (statements or theme names), or ``None``.

    Counts common function words of English, Swedish and Dutch, Swedish letters
    (å, ä, ö) and typical Swedish and English word endings (``-het``, ``-itet`` /
    ``-ing``, ``-ness``); the language with the most evidence wins. In a text with a
    letter Swedish does not write (Hungarian "Kötelezés", "mindenki úgy élhet") only
    the function words count.

    Parameters
    ----------
    texts : iterable of str
        Statements, theme names or anything the study wrote.

    Returns
    -------
    str or None
        ``"en"``, ``"sv"`` or ``"nl"``; ``None`` when there is no evidence either way
        (e.g. only codes such as ``F1``).
    """
    score = {"en": 0.0, "sv": 0.0, "nl": 0.0}
    for text in texts:
        if not isinstance(text, str):
            continue
        words = [w.lower() for w in _WORD.findall(text.replace("_", " "))]
        foreign = bool(_FOREIGN_LETTERS.search(text))  # its letters and endings are another language's
        for w in words:
            for lang, stop in _STOPWORDS.items():
                if w in stop:
                    score[lang] += 1.0
            if foreign:  # "lehet", "élhet": Hungarian, not the Swedish "-het"
                continue
            if _SWEDISH_LETTERS.search(w):
                score["sv"] += 1.0
            elif len(w) > 4 and _SWEDISH_ENDINGS.search(w):
                score["sv"] += 0.5
            elif len(w) > 4 and _ENGLISH_ENDINGS.search(w):
                score["en"] += 0.5
    best = max(score, key=score.get)
    return best if score[best] > 0 else None


def _matches(keyword: str, words: Sequence[str]) -> bool:
    if len(keyword) >= 5:
        return any(keyword in w for w in words)
    return any(w.startswith(keyword) for w in words)


def lexicon_word(theme: str, high: bool, lang: str = "en", *, lexicon: bool = True) -> str | None:
    """The persona word for a theme the lexicon knows (``None`` otherwise).

    A theme is the lexicon's when one of a concept's keywords is in it and every other
    word of it is also one of that concept's keywords or a qualifier ("focus",
    "proof", "medvetenhet"): "social proof" is, "social reading" is not.

    Parameters
    ----------
    theme : str
        A factor's name (usually the interview theme of its top statements), in any
        of English, Swedish or Dutch.
    high : bool
        Whether the type is above (``True``) or below average on it.
    lang : str, default="en"
        Language of the word; languages without a grammar get English.
    lexicon : bool, default=True
        ``False`` when the study is not about shopping (:func:`lexicon_applies`): no
        persona word at all.
    """
    lang = lang if lang in NAME_LANGUAGES else "en"
    if not lexicon:
        return None
    words = [w.lower() for w in _WORD.findall(str(theme).replace("_", " "))]
    for concept in _LEXICON:
        if any(_matches(k, words) for k in concept.keywords):
            # the whole theme must be the concept's: "social reading" is not "social proof"
            rest = [w for w in words if w not in _QUALIFIERS and not any(_matches(k, [w]) for k in concept.keywords)]
            if rest:
                return None
            return (concept.high if high else concept.low)[lang]
    return None


def _mentions_buying(text: str) -> bool:
    words = [w.lower() for w in _WORD.findall(str(text).replace("_", " "))]
    return any(w.startswith(k) for w in words for k in _SHOPPING_WORDS)


def lexicon_applies(name: str | None = None, statements: Iterable[str] = ()) -> bool:
    """Whether the lexicon's shopping nouns ("shopper", "buyer", "Stamkunden") fit a study.

    The lexicon was written for shopping studies. A study says what it is about in
    its name (``instrument.yaml`` ``name``) and in its statements: the nouns fit when
    the name mentions buying (shop, customer, e-commerce, köp, kund, handel, ...) or at
    least a fifth (:data:`SHOPPING_SHARE`) of the statements do. A study that gives
    its name or statements and says nothing of buying (the PISA 2009 reading study:
    "I read only if I have to.") gets names built from its own theme words with a
    neutral noun instead. With neither, the theme words alone decide (a theme such as
    "price focus" is the lexicon's; "social reading" is not).

    Parameters
    ----------
    name : str, optional
        The study's name.
    statements : iterable of str
        The survey statements.

    Returns
    -------
    bool
        ``False`` when the study says what it is about and it is not buying.
    """
    texts = [str(t) for t in statements if isinstance(t, str) and t.strip()]
    if name and _mentions_buying(name):
        return True
    if texts:
        return sum(_mentions_buying(t) for t in texts) >= SHOPPING_SHARE * len(texts)
    return not (name and str(name).strip())


def _theme_text(theme: str) -> str:
    """A theme as it reads inside a sentence: the study's own words with their own casing
    (``Openness`` stays ``Openness``: "The group low on Openness", "lågt på Openness"; session
    24, where "openness" changed the user's word), a code's underscores as spaces
    (``social_reading`` → ``social reading``); only the tool's own label of an unnamed factor
    is a word of the sentence (``Factor 3`` → ``factor 3``)."""
    text = re.sub(r"[_]+", " ", str(theme)).strip()
    if re.fullmatch(r"(Factor|Faktor) \d+", text):
        return text[:1].lower() + text[1:]
    return text


def type_name(theme: str, high: bool, lang: str = "en", *, lexicon: bool = True, most: bool = False,
              mild: bool = False) -> str:
    """A suggested persona name from the factor a type is named after.

    Parameters
    ----------
    theme : str
        The factor's (theme) name, kept as the study wrote it when the lexicon does
        not know it.
    high : bool
        Above (``True``) or below average on the factor.
    lang : str, default="en"
    lexicon : bool, default=True
        Whether the lexicon's shopping nouns may be used (:func:`lexicon_applies`).
    most : bool, default=False
        The superlative, for the most extreme of several types named after the same
        pole of the same factor: ``"The group lowest on affiliative"`` / ``"Gruppen som
        ligger lägst på affiliative"``. A lexicon word has no superlative: it is
        returned as without ``most``.
    mild : bool, default=False
        The least extreme of several types named after the same pole of the same factor
        (bands along one factor, user trial 22): ``"The group somewhat low on affiliative
        humour"`` / ``"Gruppen som ligger något lågt på …"``, not a type number. A lexicon
        word is returned as without ``mild``.

    Returns
    -------
    str
        E.g. ``"The bargain hunter"``, ``"Prisjägaren"``, ``"The group high on pris"``,
        ``"Gruppen som ligger lågt på trädgård"``.
    """
    lang = lang if lang in NAME_LANGUAGES else "en"
    g = _GRAMMAR[lang]
    word = lexicon_word(theme, high, lang, lexicon=lexicon)
    if word is not None:
        if lang == "en":
            word = word[:1].lower() + word[1:]
        name = g["word"].format(word=word)
    else:
        name = g[("high" if high else "low") + ("_most" if most else "_mild" if mild else "")].format(
            theme=_theme_text(theme))
    return name[:1].upper() + name[1:]


def name_extra(theme: str, high: bool, lang: str = "en", *, lexicon: bool = True) -> str:
    """The short form added to a shared name to tell two types apart (``"explorer"``,
    ``"högt på pris"``)."""
    lang = lang if lang in NAME_LANGUAGES else "en"
    word = lexicon_word(theme, high, lang, lexicon=lexicon)
    if word is not None:
        return word.lower()
    return _GRAMMAR[lang]["tag_high" if high else "tag_low"].format(theme=_theme_text(theme))


def _count_word(n: int, lang: str) -> str:
    words = _GRAMMAR[lang]["numbers"].split()
    return words[n] if 0 <= n < len(words) else str(n)


def level_name(high: bool, lang: str = "en", *, most: bool = False, n_themes: int | None = None) -> str:
    """The name of a type above (``high``) or below everyone on every factor by about as much.

    Such a type has no profile shape to name: it rates everything higher (or lower)
    than the others, a general evaluation (a satisfied or dissatisfied customer rating
    a provider's image, quality and value alike) or an answer style. ``most`` is the
    superlative, for the more extreme of two such types. ``n_themes`` (the number of
    factors) names it by content instead, "The group high on all five themes": for a
    survey without reverse-worded statements, where an answer style cannot be told from
    a view held on every theme (user trial 11: believing conspiracy claims is not
    "rating positively").

    >>> level_name(False, "sv"), level_name(True, n_themes=5)
    ('De kritiska bedömarna', 'The group high on all five themes')
    """
    lang = lang if lang in NAME_LANGUAGES else "en"
    key = f"level_{'high' if high else 'low'}{'_content' if n_themes else ''}{'_most' if most else ''}"
    return _GRAMMAR[lang][key].format(n=_count_word(n_themes or 0, lang))


def level_tagline(high: bool, lang: str = "en", *, n_themes: int | None = None) -> str:
    """The tagline of a level type (:func:`level_name`): ``"High on everything, by about the same amount."``,
    by content with ``n_themes``: ``"High on all five themes, by about the same amount."``"""
    lang = lang if lang in NAME_LANGUAGES else "en"
    key = f"tag_level_{'high' if high else 'low'}{'_content' if n_themes else ''}"
    return _GRAMMAR[lang][key].format(n=_count_word(n_themes or 0, lang))


def factor_label(factor_id: str, name: str, lang: str = "en") -> str:
    """A factor's name as shown in ``lang``: the tool's own label of an unnamed factor translated.

    The factor model names a factor after the theme of its top statements; when none of
    them has a theme it writes ``"Factor 3"`` for ``F3`` (``factors.json`` keeps that).
    That label is the tool's word, so it follows the language ("Faktor 3"), as does the
    part of a theme split over factors ("trust (part 2)", "trust (del 2)"); any other
    name is the study's own and is returned as written, as is a name that only looks
    like the label (``"Factor 7"`` on ``F2``). Factor ids are never changed.

    >>> factor_label("F7", "Factor 7", "sv"), factor_label("F7", "openness 2", "sv")
    ('Faktor 7', 'openness 2')
    """
    lang = lang if lang in NAME_LANGUAGES else "en"
    theme, part = theme_part(name)
    if part is not None:
        return _GRAMMAR[lang]["part"].format(theme=theme, n=part)
    found = re.fullmatch(r"F(\d+)", str(factor_id))
    labels = {_GRAMMAR[code]["factor"].format(n=found.group(1)) for code in NAME_LANGUAGES} if found else ()
    if str(name).strip() in labels:  # also back from another language's ("Faktor 7" in English)
        return _GRAMMAR[lang]["factor"].format(n=found.group(1))
    return name


_PART = re.compile(r"(?P<theme>.+) \((?:" + "|".join(
    re.escape(g["part"].split("(", 1)[1].split(" ")[0]) for g in _GRAMMAR.values()) + r") (?P<n>\d+)\)")


def theme_part(name: str) -> tuple[str, int | None]:
    """A factor name split into its theme and, for a theme split over several factors, the
    part (the factor model names the second ``"trust (part 2)"``; ``"trust (del 2)"`` when
    shown in Swedish); ``None`` for a factor that is the theme's only or first one.

    >>> theme_part("trust (part 2)"), theme_part("trust")
    (('trust', 2), ('trust', None))
    """
    found = _PART.fullmatch(str(name))
    return (found.group("theme"), int(found.group("n"))) if found else (str(name), None)


def tagline(parts: Sequence[tuple[str, bool]], lang: str = "en") -> str:
    """A one-line tagline from (factor name, is high) pairs, most distinctive first.

    >>> tagline([("Price focus", True), ("Convenience", False)])
    'High on price focus, low on convenience.'
    """
    lang = lang if lang in NAME_LANGUAGES else "en"
    g = _GRAMMAR[lang]
    if not parts:
        return ""
    text = g["tag_sep"].join(
        g["tag_high" if high else "tag_low"].format(theme=_theme_text(theme)) for theme, high in parts)
    return text[:1].upper() + text[1:] + g["tag_end"]


def _format_value(key: str, value: Any, fmt: Any, decimals: int = 2) -> str:
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int):
        return fmt.count(value) if fmt is not None else str(value)
    if isinstance(value, float):
        if key.endswith("share"):
            return fmt.pct(value, 1) if fmt is not None else f"{100 * value:.1f}%"
        return fmt.num(value, decimals) if fmt is not None else f"{value:.{decimals}f}"
    return str(value)


def _decimals(values: Mapping[str, Any]) -> int:
    """Two decimals, or up to four when two different numbers of one sentence would read
    alike ("entropy 0.70, below 0.70" for 0.697 against 0.7, user trial 8)."""
    nums = [float(v) for k, v in values.items()
            if isinstance(v, float) and not k.endswith("share") and math.isfinite(v)]
    for d in (2, 3, 4):
        shown = [round(v, d) for v in nums]
        if all(a == b or x != y for i, (a, x) in enumerate(zip(nums, shown))
               for b, y in zip(nums[i + 1:], shown[i + 1:])):
            return d
    return 4


def _is_said(value: Any) -> bool:
    """Whether a value is a sentence with its values (:class:`~behaviortypes.errors.Said`)."""
    from .errors import Said

    return isinstance(value, Said)


def reason_text(reason: Any, texts: Mapping[str, str], fmt: Any = None) -> str:
    """The sentence(s) of a structured reason, in the language of ``texts``.

    A reason that a library stage records for people (why this many factors, why
    this many types) is language-neutral when it is written as a *code and values*:
    ``{"code": "k_reason_bic", "values": {"k": 4, "model": "k_model_bic",
    "min_share": 0.12}}``, or a list of such sentences. The code names a template of
    ``report/i18n/<lang>.yaml``; a value that is itself the name of a template (such as
    ``k_model_bic``) is replaced by that template's text, and a
    :class:`~behaviortypes.errors.Said` value (:func:`counted`) by its sentence; values whose key ends in
    ``share`` are printed as percentages, other floats with two decimals (three or four
    when two different numbers of one sentence would otherwise read alike), each as the
    language writes numbers (through ``fmt``). A sentence whose value ``m`` is 1 is said
    by its singular template ``<code>_one`` when the catalogue has one.

    Parameters
    ----------
    reason : str, dict or list of dict
        A plain string is returned as it is (an old, English-only reason).
    texts : mapping
        The report texts of one language (``report.render.load_texts(lang)``).
    fmt : object, optional
        A number formatter with ``num``, ``pct`` and ``count`` methods (the report's
        ``Formatter``); plain formatting when omitted.

    Returns
    -------
    str
        The sentences joined by spaces; ``""`` for an empty reason. An unknown code
        is returned as the code itself, so that a missing template shows up in review
        (and in the test that every code has a template).
    """
    if reason is None:
        return ""
    if isinstance(reason, str):
        return reason
    if isinstance(reason, Mapping):
        reason = [reason]
    out = []
    for part in reason:
        if isinstance(part, str):
            out.append(part)
            continue
        code = str(part.get("code", ""))
        raw = dict(part.get("values") or {})
        # a sentence whose count m is 1 is said by its singular template when the catalogue
        # has one ("1 dimension, as set with --factors"); the code stays the same
        template = texts.get(f"{code}_one") if raw.get("m") == 1 else None
        template = template if template is not None else texts.get(code)
        if template is None:
            out.append(code)
            continue
        values = {}
        decimals = _decimals(raw)
        for key, value in raw.items():
            if isinstance(value, str) and value in texts:
                values[key] = texts[value]
            elif _is_said(value):  # a sentence of its own ("1 tema", counted): said in turn
                values[key] = reason_text({"code": value[0], "values": value[1]}, texts, fmt)
            else:
                values[key] = _format_value(key, value, fmt, decimals)
        out.append(template.format(**values))
    return " ".join(o for o in out if o)
