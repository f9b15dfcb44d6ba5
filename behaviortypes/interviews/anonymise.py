"""Anonymise quotes before they reach a report, and give participants pseudonyms.

:func:`anonymise` masks e-mail addresses, URLs, phone numbers (international,
Swedish, US), Swedish personal identity numbers, customer and member numbers (the
study's own respondent and customer ids when given, and id-like codes), street
addresses and person names (titles with surnames, names after cues such as "I'm",
"ask", "jag heter"). It is the one anonymiser of the package: the interview stage and
the report both use it. It is a safety net, not a guarantee: read quotes before
publishing them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np

__all__ = ["anonymise", "masks_in", "MASKS_SV", "pseudonymise", "FIRST_NAMES", "TITLES"]

# Common first names (English, Swedish, Dutch, German). Words that are also ordinary
# English words when capitalised at the start of a sentence (Will, May, Mark, Hope,
# Grace, Rose, June, Bill, Frank...) are left out; names given to anonymise() are
# always masked.
_NAMES = """
Aaron Abigail Adam Adrian Agnes Ahmed Aidan Alan Albert Alex Alexander Alexandra Alfred
Alice Alicia Amanda Amelia Amy Andrea Andreas Andrew Angela Anita Anja Ann Anna Anne
Anneke Annika Anton Arjen Arne Arthur Astrid Axel Barbara Bart Bas Beatrice Ben Benjamin
Bernd Bertil Birgit Birgitta Bjorn Björn Bo Bram Brian Britt Bruno Carl Carina Carla
Carlos Carmen Caroline Catherine Cecilia Charles Charlie Charlotte Chloe Chris Christian
Christina Christine Christoph Christopher Claire Claudia Colin Daan Daniel Daniela Daniele
David Debbie Dennis Dieter Dirk Ebba Edith Edward Elias Elin Elisabeth Elizabeth Ella
Ellen Elsa Emil Emily Emma Eric Erik Erika Esther Eva Evelyn Felix Femke Filip Finn
Fiona Florian Frida Fredrik Gabriel Gabriele Georg George Gerard Gerda Gerrit Gisela
Greta Gunnar Gustav Hannah Hanna Hans Harald Harry Heike Heinz Helen Helena Helga Henk
Henrik Henry Hugo Ida Ingrid Irene Isabel Isabella Jacob Jakob James Jan Jana Jane Janet
Jasper Jennifer Jenny Jens Jeroen Jessica Joakim Johan Johanna Johannes John Jonas
Jonathan Joost Joseph Josh Joshua Julia Julian Juliette Jurgen Jürgen Karin Karl Kasper
Katarina Kate Katharina Katherine Kathrin Kees Kelly Kerstin Kevin Klaus Kristina Lars
Laura Lauren Leif Lena Leo Leon Lieke Lina Linda Linnea Lisa Liam Lotte Louise Lucas
Lucy Ludwig Lukas Luuk Maja Malin Manfred Marcus Margaret Maria Marie Marieke Marina
Mario Markus Marta Martha Martijn Martin Mary Mats Matthew Matthias Max Maximilian Megan
Melanie Mia Michael Michaela Michelle Mikael Milan Mohammed Monika Nadia Natalie Nicole
Niels Niklas Nils Nina Noah Noor Nora Olivia Olof Olle Oliver Oscar Oskar Patricia
Patrick Paul Peter Petra Philip Pieter Rachel Ralf Rebecca Richard Robert Robin Roel
Rolf Ronald Ruben Ruth Ryan Sabine Sally Samuel Sandra Sara Sarah Saskia Sebastian Simon
Sofia Sophia Sophie Stefan Stefanie Steven Stig Susan Susanne Sven Thomas Thijs Tim
Tobias Tom Tomas Tove Ulla Ulrike Ursula Uwe Valentina Vera Victor Viktor Walter Werner
Willem William Wolfgang Wouter Yvonne Zoe Åsa Åke Örjan Göran Jörg Lukas Sanne Fleur
Anouk Emma Tess Julia Sem Finn Levi Milou Bente Liv Alva Wilma Vilma Saga Selma Tyra
Elvira Hampus Ludvig Melvin Albin Viggo Folke Elsie Harriet Ingela Lennart Magnus Ove
Rune Sten Tage Ulf Yngve Kjell Leila Omar Yusuf Fatima Ali Hassan Mehmet Aisha
"""
FIRST_NAMES: frozenset[str] = frozenset(_NAMES.split())

_RELATIONS = (
    "husband|wife|son|daughter|friend|colleague|partner|boyfriend|girlfriend|brother|sister|"
    "mother|father|mum|mom|dad|boss|neighbour|neighbor|kid|child|manager|cousin|aunt|uncle|"
    "grandmother|grandfather|grandma|grandpa|fiancée?|sambo|man|fru|son|dotter|vän|kollega"
)
_NOT_NAMES = frozenset(
    """I I'm I've I'd A An The And But Or So Not No Yes Sure Just Really Very Always Never Also
    Then There This That It He She We They You My Our Your Mr Mrs Ms Dr Monday Tuesday Wednesday
    Thursday Friday Saturday Sunday January February March April June July August September
    October November December Swedish English British American German Dutch Danish Norwegian
    European Christmas Easter Stockholm Gothenburg London Berlin Amsterdam Happy Sorry Tired
    Retired Busy Done Fine Okay OK Good Glad Afraid Worried Single Married Going Trying
    Looking""".split()
)

#: Titles before a surname ("Mrs Johansson", "Dr. Karlsson", "Herr Svensson", "Fru Berg").
TITLES = (
    "Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Prof", "Professor", "Sir", "Madam", "Dame", "Lady", "Lord",
    "Herr", "Frau", "Fru", "Fröken", "Doktor", "Dokter", "Mevrouw", "Meneer", "Mevr", "Dhr",
)
_TITLE = re.compile(
    r"\b(?:" + "|".join(TITLES) + r")\.?\s+"
    r"[A-ZÅÄÖÜ][a-zåäöüéèß'’]+(?:-[A-ZÅÄÖÜ][a-zåäöüéß]+)?(?:\s+[A-ZÅÄÖÜ][a-zåäöüéèß]+)?"
)
# customer / member / card numbers: a cue word, then a code with at least four digits
_ID_CUE = re.compile(
    r"(?i:\b(?:customer|client|member(?:ship)?|loyalty|account|card|order|club|bonus|kund|medlems?|"
    r"konto|kort|klubb|order)[\s-]*(?:number|no\.?|nr\.?|num|id|code|nummer|#)?)"
    r"(?:\s+(?i:is|was|är|var))?\s*[:#]?\s*"
    r"([A-Za-z]{0,4}[-\s]?\d[\d\s-]{2,18}\d)(?![\w])"
)
# id-like codes anywhere: 1-4 letters then 4+ digits (C006312, KD-1234567)
_CODE = re.compile(r"(?<![\w\[-])[A-Za-z]{1,4}-?\d{4,}(?![\w-])")
_TOKEN = re.compile(r"(?<![\w\[])[\w][\w.\-/]*[\w](?![\w])")

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"']+[^\s<>\"'.,;:!?)\]]")
_PERSONNUMMER = re.compile(
    r"(?<![\d+-])(?:19|20)?\d{2}(?:0[1-9]|1[0-2])"  # (YY)YYMM
    r"(?:0[1-9]|[12]\d|3[01]|[6-8]\d|9[01])[-+]\d{4}(?!\d)"  # DD (+60: samordningsnummer)
    r"|(?<![\d+-])(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{4}(?!\d)"
)
_PHONE = re.compile(
    r"(?<![\w+])(?:"
    r"(?:\+|00)\d{1,3}[\s.-]?(?:\(0\)[\s.-]?)?\d{1,4}(?:[\s.-]?\d{1,4}){1,5}"  # +46 70 123 45 67
    r"|\(?0\d{1,3}\)?[\s.-]?\d{2,4}(?:[\s.-]?\d{2,4}){1,3}"  # 070-123 45 67, 08-123 456 78
    r"|\(?[2-9]\d{2}\)?[\s.-]\d{3}[\s.-]\d{4}"  # (555) 123-4567, 555-123-4567
    r"|\b\d{3}-\d{4}\b"  # 555-1234
    r")(?![\w])"
)
_ADDRESS = re.compile(
    r"\b\d{1,5}[A-Za-z]?\s+(?:[A-Z][\w'-]+\s+){1,3}"
    r"(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|Boulevard|Blvd|Way|Court|Ct|Place|Pl|"
    r"Square|Sq|Terrace|Close|Crescent)\b\.?"
    r"|\b[A-ZÅÄÖÜ][\wåäöüß-]*(?:gatan|vägen|väg|gränd|torget|stigen|allén|backen|"
    r"straße|strasse|"
    r"str\.|weg|laan|straat|gracht|plein|kade|dijk|singel)\s+\d{1,4}(?:\s?[A-Za-z]\b)?"
)
_CUE = re.compile(
    rf"\b(?:(?:[Mm]y|[Oo]ur|[Mm]in|[Vv]år)\s+(?:{_RELATIONS}),?|[Nn]ame\s+is|[Nn]amed|[Cc]alled|"
    r"I'm|I’m|I\s+am|[Cc]all\s+me|[Jj]ag\s+heter|[Hh]eter|[Aa]sk(?:ed)?|[Tt]alk(?:ed)?\s+to|"
    r"[Ss]poke\s+(?:to|with)|[Ff]råga(?:de)?|[Ss]ay\s+hi\s+to)\s+"
    r"([A-ZÅÄÖÜ][a-zåäöüéèß]+(?:-[A-ZÅÄÖÜ][a-zåäöüéß]+)?)"
)
_FIRST = re.compile(r"\b(?:" + "|".join(sorted(FIRST_NAMES, key=len, reverse=True)) + r")\b")
_SURNAME = re.compile(r"\[name\](\s+)([A-ZÅÄÖÜ][a-zåäöüéß]+(?:-[A-ZÅÄÖÜ][a-zåäöüéß]+)?)")


def _digits(text: str) -> int:
    return sum(ch.isdigit() for ch in text)


def _id_set(ids: Iterable[object]) -> set[str]:
    """The identifiers worth masking: at least four characters with a digit, and at least
    five when all digits (so that years and prices stay)."""
    out = set()
    for value in ids:
        if value is None or isinstance(value, float) and value != value:
            continue
        text = str(value).strip()
        if len(text) >= 4 and any(ch.isdigit() for ch in text) and (len(text) >= 5 or not text.isdigit()):
            out.add(text.lower())
    return out


#: The masks in Swedish (a Swedish study's quotes say "[telefon]", not "[phone]"; user trial 12).
MASKS_SV = {"[email]": "[e-post]", "[url]": "[webbadress]", "[id]": "[id]", "[phone]": "[telefon]",
            "[address]": "[adress]", "[name]": "[namn]"}
_MASK = re.compile("|".join(re.escape(m) for m in MASKS_SV))


def masks_in(text: str, lang: str = "en") -> str:
    """``text`` with its masks (``[name]``, ``[phone]`` …) in ``lang`` (``sv``: ``[namn]``,
    ``[telefon]``, ``[e-post]``, ``[webbadress]``, ``[adress]``; ``[id]`` stays)."""
    if lang != "sv" or not isinstance(text, str):
        return text
    return _MASK.sub(lambda m: MASKS_SV[m.group(0)], text)


def anonymise(text: str, *, names: Iterable[str] = (), ids: Iterable[object] = (), lang: str = "en") -> str:
    """Mask personal details in a quote.

    Parameters
    ----------
    text : str
        A quote or transcript.
    names : iterable of str, default=()
        Names known to appear (participants' names, people they mention); each
        full name and each of its parts is masked, case-insensitively.
    ids : iterable, default=()
        The study's own identifiers (respondent ids, customer ids): each is masked as
        ``[id]`` wherever it appears as a word, case-insensitively. Ids shorter than four
        characters, without a digit, or all-digit ids shorter than five are ignored (they
        would mask ordinary numbers).
    lang : {"en", "sv"}, default="en"
        Language of the masks (:func:`masks_in`): a Swedish study's quotes say
        ``[namn]``, ``[telefon]``, ``[e-post]``.

    Returns
    -------
    str
        The text with ``[email]``, ``[url]``, ``[id]`` (personnummer, customer and member
        numbers, the given ids), ``[phone]``, ``[address]`` and ``[name]`` in place of
        what they mask.

    Notes
    -----
    Names are found four ways: the ``names`` given; a title before a surname ("Mrs
    Johansson", "Dr. Karlsson", "Herr Svensson"; see :data:`TITLES`); a capitalised
    word after a cue ("my wife Anna", "my name is", "I'm", "call me", "ask", "talk
    to", "jag heter"); and a built-in list of common English, Swedish, Dutch and German
    first names (:data:`FIRST_NAMES`). A capitalised word right after a masked name is
    taken as a surname. Customer numbers are found by a cue ("customer number",
    "member no", "kundnummer") or by their shape (one to four letters then four or
    more digits, such as ``C006312``). Phone numbers need 7–15 digits and a phone-like
    shape (leading ``+``, ``00`` or ``0``, or the US 3-3-4 pattern), so years and
    amounts are kept.

    Examples
    --------
    >>> anonymise("Mail me at anna.s@example.com or call 070-123 45 67, my son Erik knows.")
    'Mail me at [email] or call [phone], my son [name] knows.'
    >>> anonymise("My customer number is C006312; ask Mrs Johansson at the store.")
    'My customer number is [id]; ask [name] at the store.'
    """
    if not isinstance(text, str) or not text:
        return text
    text = _EMAIL.sub("[email]", text)
    text = _URL.sub("[url]", text)
    known = _id_set(ids)
    if known:
        text = _TOKEN.sub(lambda m: "[id]" if m.group(0).lower() in known else m.group(0), text)
    text = _PERSONNUMMER.sub("[id]", text)
    text = _ID_CUE.sub(lambda m: m.group(0)[: m.start(1) - m.start(0)] + "[id]", text)
    text = _CODE.sub("[id]", text)
    text = _PHONE.sub(lambda m: "[phone]" if 7 <= _digits(m.group()) <= 15 else m.group(), text)
    text = _ADDRESS.sub("[address]", text)
    given = set()
    for name in names:
        if not isinstance(name, str) or not name.strip():
            continue
        given.add(name.strip())
        given.update(part for part in re.split(r"\s+", name.strip()) if len(part) >= 2)
    if given:
        pattern = "|".join(re.escape(n) for n in sorted(given, key=len, reverse=True))
        text = re.sub(rf"(?<![\w\[])(?:{pattern})(?![\w\]])", "[name]", text, flags=re.IGNORECASE)
    text = _TITLE.sub("[name]", text)

    def _cue(m: re.Match) -> str:
        if m.group(1) in _NOT_NAMES:
            return m.group(0)
        return m.group(0)[: m.start(1) - m.start(0)] + "[name]"

    text = _CUE.sub(_cue, text)
    text = _FIRST.sub("[name]", text)
    text = _SURNAME.sub(lambda m: m.group(0) if m.group(2) in _NOT_NAMES else "[name]", text)
    return masks_in(text, lang)


def _letters(i: int) -> str:
    out = ""
    i += 1
    while i:
        i, rem = divmod(i - 1, 26)
        out = chr(ord("A") + rem) + out
    return out


def pseudonymise(
    participant_ids: Iterable[str], *, seed: int = 0, style: str = "letter",
    word: str = "Participant",
) -> dict[str, str]:
    """Give each participant a stable pseudonym.

    Parameters
    ----------
    participant_ids : iterable of str
        The participants (duplicates ignored).
    seed : int, default=0
        Seeds the shuffle that assigns pseudonyms, so that their order does not give
        away the ids' order (e.g. alphabetical names). Same ids and seed, same result.
    style : {"letter", "number"}, default="letter"
        ``"Participant A"``, ``"Participant B"``, ... or ``"P01"``, ``"P02"``, ...
    word : str, default="Participant"
        The word before the letter: ``"Deltagare"`` gives ``"Deltagare A"`` (the same
        letters for the same ids and seed).

    Returns
    -------
    dict of str to str
        Pseudonym by participant id.
    """
    ids = sorted({str(p) for p in participant_ids})
    order = np.random.default_rng(seed).permutation(len(ids))
    if style == "letter":
        labels = [f"{word} {_letters(i)}" for i in range(len(ids))]
    elif style == "number":
        width = max(2, len(str(len(ids))))
        labels = [f"P{i + 1:0{width}d}" for i in range(len(ids))]
    else:
        raise ValueError(f"style must be 'letter' or 'number', not {style!r}")
    return {ids[j]: labels[i] for i, j in enumerate(order)}
