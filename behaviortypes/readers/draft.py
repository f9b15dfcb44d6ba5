"""Drafting an instrument (``instrument.yaml``) from a responses file."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from ..files import write_text
from ..instrument import instrument_from_dict
from ..i18n import guess_language, output_language
from ._common import SPSS_EXT, coerce, drop_qualtrics_previews, split_question_stems
from .tables import read_raw, read_spss
from .validate import UNRELATED_MAX_R


_QUALTRICS_META = {
    "startdate", "enddate", "status", "ipaddress", "progress", "duration (in seconds)",
    "finished", "recordeddate", "responseid", "recipientlastname", "recipientfirstname",
    "recipientemail", "externalreference", "locationlatitude", "locationlongitude",
    "distributionchannel", "userlanguage",
}
# Column names a responses file commonly uses, in English, Swedish and Dutch (compared
# case-insensitively, with spaces, dashes and dots read as underscores). Names of five
# letters or more are also found inside a longer name ("kundnummer_crm").
_ID_NAMES = ("respondent_id", "responseid", "response_id", "respid", "resp_id", "respondentid",
             "respondent", "respondentnummer", "respondent_nr", "deltagare", "deltagar_id",
             "deltagarid", "deltagarnummer", "svarande", "svarsid", "svars_id", "lopnr", "löpnummer",
             "deelnemer", "deelnemer_id", "deelnemersnummer", "participant_id", "participant",
             "caseid", "case_id", "id", "record", "serial", "interview_id")
_DURATION_NAMES = ("duration (in seconds)", "duration_in_seconds", "duration", "duration_sec",
                   "duration_s", "seconds", "secs", "time_taken", "interview_length", "loi",
                   "tid_sek", "tid_sekunder", "tid_s", "svarstid", "svarstid_sek", "tidsåtgång",
                   "sekunder", "tid", "duur", "duur_sec", "duur_seconden", "seconden",
                   "invultijd", "doorlooptijd")
_CUSTOMER_NAMES = ("customer_id", "customerid", "customer_no", "customer_nr", "customer_number",
                   "customer", "client_id", "crm_id", "member_id", "account_id",
                   "kundnummer", "kundnr", "kund_nr", "kund_id", "kundid", "medlemsnummer",
                   "medlemsnr", "klantnummer", "klantnr", "klant_nr", "klant_id", "klantid",
                   "lidnummer", "relatienummer")
_WEIGHT_NAMES = ("weight", "weights", "wt", "vikt", "viktning", "gewicht", "weegfactor", "poids")
#: Background questions (who the respondent is), answered with codes that can look like a
#: Likert scale (education 1-5 beside 1-6 statements): drafted as descriptors, not statements.
_BACKGROUND_NAMES = ("education", "educ", "edu", "utbildning", "utbildningsniva", "opleiding",
                     "age", "age_group", "agegroup", "alder", "ålder", "aldersgrupp", "åldersgrupp",
                     "leeftijd", "gender", "sex", "kon", "kön", "geslacht", "income", "inkomst",
                     "inkomen", "region", "lan", "län", "provincie", "occupation", "yrke", "beroep",
                     "marital_status", "civilstand", "civilstånd", "household_size", "hushall",
                     "hushåll", "children", "barn", "kinderen")
#: Questions about behaviour or health (how often one exercises, smokes; self-rated health),
#: answered on a scale of their own: drafted as descriptors when their answers' range
#: differs from the statements' scale (SAPA's health 1-5 beside 1-6 statements); on the
#: statements' own scale (SAPA's exer 1-6) the answers cannot tell, so they stay statements
#: and the draft says so in a comment (the name alone is not evidence enough to drop one).
_BEHAVIOUR_NAMES = ("health", "self_rated_health", "srh", "exercise", "exer", "physical_activity",
                    "smoke", "smoking", "smoker", "alcohol", "drinking", "wellness", "wellbeing",
                    "well_being", "bmi", "halsa", "hälsa", "motion", "traning", "träning", "rokning",
                    "rökning", "rokare", "rökare", "alkohol", "gezondheid", "beweging", "roken")
#: Unique whole numbers all within this range are ages, years or codes, not respondent ids
#: (a row counter 1..n is accepted).
_SMALL_INT_MAX = 150
#: A column that misses an end of the scale and correlates less than this with every other
#: candidate statement is a background question (on R psych's bfi: education 0.14; the
#: weakest statement, O4, 0.21).
_BACKGROUND_MAX_R = 0.2
#: A column on the whole scale is left out as probably not a statement when it correlates
#: less than :data:`behaviortypes.readers.validate.UNRELATED_MAX_R` (the bound ``check`` warns
#: below) with every other candidate and its name is a short lowercase word unlike most
#: candidates' names (user trial 23: BIG5's ``source``, codes 1-5, max |r| 0.12 with E1..O10,
#: whose weakest statement O9 has 0.20; R psych's bfi: O4 0.21).

#: Answer labels of agree/disagree scales (English, Swedish), casefolded, with their place
#: from disagreeing to agreeing: a survey exported with text answers is drafted with
#: ``scale: labels`` in this order (a guess the draft says to check).
_LABEL_ORDER = {
    "strongly disagree": 0, "completely disagree": 0, "totally disagree": 0,
    "disagree": 1, "somewhat disagree": 1.5, "slightly disagree": 1.5, "tend to disagree": 1.5,
    "neither agree nor disagree": 2, "neither agree or disagree": 2, "neutral": 2,
    "somewhat agree": 2.5, "slightly agree": 2.5, "tend to agree": 2.5, "agree": 3,
    "strongly agree": 4, "completely agree": 4, "totally agree": 4,
    "instämmer inte alls": 0, "tar helt avstånd": 0, "instämmer inte": 1,
    "tar delvis avstånd": 1, "instämmer i liten grad": 1, "varken eller": 2,
    "varken instämmer eller tar avstånd": 2, "instämmer delvis": 2.5, "instämmer i stor grad": 3,
    "instämmer till stor del": 3, "instämmer": 3, "instämmer helt": 4, "instämmer helt och hållet": 4,
    "instämmer till viss del": 2.5, "instämmer i mycket hög grad": 4, "instämmer i mycket liten grad": 0,
    # Swedish "how well does it fit you" scales (session 18): stämmer inte alls … stämmer helt
    "stämmer inte alls": 0, "stämmer mycket dåligt": 0, "stämmer inte": 1, "stämmer dåligt": 1,
    "stämmer i låg grad": 1, "stämmer ganska dåligt": 1.5, "stämmer delvis": 2.25,
    "stämmer till viss del": 2.25, "stämmer ganska bra": 2.5, "stämmer bra": 3, "stämmer i hög grad": 3,
    "stämmer till stor del": 3, "stämmer mycket bra": 4, "stämmer helt": 4, "stämmer helt och hållet": 4,
    "stämmer precis": 4,
    # helt oenig … helt enig; håller inte alls med … håller helt med
    "helt oenig": 0, "mycket oenig": 0, "oenig": 1, "ganska oenig": 1.5, "delvis oenig": 1.5,
    "varken enig eller oenig": 2, "varken oenig eller enig": 2, "ganska enig": 2.5, "delvis enig": 2.5,
    "enig": 3, "helt enig": 4, "mycket enig": 4,
    "håller inte alls med": 0, "håller inte med": 1, "håller delvis med": 2.5, "håller med": 3,
    "håller helt med": 4,
    # mycket dåligt … mycket bra
    "mycket dåligt": 0, "mycket dålig": 0, "dåligt": 1, "dålig": 1, "ganska dåligt": 1.5, "ganska dålig": 1.5,
    "varken bra eller dåligt": 2, "varken dåligt eller bra": 2, "varken bra eller dålig": 2,
    "ganska bra": 2.5, "bra": 3, "mycket bra": 4,
    # how often (user trial 22, the Humor Styles Questionnaire: "Never or very rarely true" …
    # "Very often or always true"); never … always, aldrig … alltid
    "never": 0, "never true": 0, "never or very rarely true": 0, "never or almost never true": 0,
    "almost never": 0.5, "very rarely": 0.5, "rarely": 1, "rarely true": 1, "seldom": 1,
    "sometimes": 2, "sometimes true": 2, "occasionally": 2, "often": 3, "often true": 3,
    "frequently": 3, "very often": 3.5, "almost always": 3.5, "very often true": 3.5,
    "always": 4, "always true": 4, "very often or always true": 4, "always or almost always true": 4,
    "aldrig": 0, "nästan aldrig": 0.5, "sällan": 1, "ibland": 2, "ofta": 3, "mycket ofta": 3.5,
    "nästan alltid": 3.5, "alltid": 4,
}


#: :data:`_LABEL_ORDER` by the label's words in any order ("agree strongly", "disagree strongly").
_LABEL_WORDS = {tuple(sorted(label.split())): float(place) for label, place in _LABEL_ORDER.items()}


def label_place(label: object) -> float | None:
    """Where an answer label sits from disagreeing (0) to agreeing (4), by the agree/disagree
    labels the draft knows (English, Swedish; case, punctuation, a leading code and the order
    of the words ignored); ``None`` for a label it does not know."""
    if not isinstance(label, str):
        return None
    key = " ".join(re.sub(r"[^\w\s]", " ", label.casefold()).split())
    key = re.sub(r"^\d+\s+", "", key)
    if key in _LABEL_ORDER:
        return float(_LABEL_ORDER[key])
    return _LABEL_WORDS.get(tuple(sorted(key.split())))


#: Answer labels that are no answer on the scale ("Don't know", "Vet ej", "No answer",
#: "Ingen åsikt", "Not applicable" ...; English, Swedish, Dutch), matched at the start of the
#: casefolded label (PISA: "Don’t know what it is"). A code so labelled is drafted under
#: ``missing_codes``, never as a point of the scale, and its label kept under ``labels``
#: (text answers are then read as that missing code).
_NON_ANSWER = re.compile(
    r"^(?:i\s+)?(?:don['’`´]?t|do\s+not|dunno)\s+know|^not\s+(?:sure|applicable|relevant)\b"
    r"|^no\s+(?:answer|opinion|response|idea)\b|^n/?a$|^prefer\s+not\s+to\b|^refused?\b"
    r"|^can['’]?t\s+say\b|^cannot\s+say\b"
    r"|^vet\s+(?:ej|inte)\b|^ingen\s+(?:åsikt|uppfattning)\b|^inget\s+svar\b"
    r"|^(?:ej|inte)\s+(?:tillämplig|aktuell)|^vill\s+inte\s+svara\b|^kan\s+inte\s+(?:svara|säga)\b"
    r"|^weet\s+(?:niet|ik\s+niet)\b|^geen\s+(?:mening|antwoord|idee)\b|^niet\s+van\s+toepassing\b")


def _is_non_answer(label: object) -> bool:
    """Whether an answer label says the respondent gave no answer on the scale."""
    return isinstance(label, str) and bool(_NON_ANSWER.match(" ".join(label.casefold().split())))


#: Words that say a column is not a statement: a time, a date, a wave or an id (English,
#: Swedish, Dutch). A column named with these words alone (``time``, ``Datum``, ``wave_2``,
#: ``time_taken``, ``StartTid``) is never drafted as a statement, even when it holds small
#: whole numbers on the statements' scale (a duration in minutes, a wave 1-5). One whose
#: name only begins or ends with one (``butik_id``, ``save_time``) is not a statement
#: unless its answers go with the statements' (``|r| >= 0.2`` with one of them), as a
#: statement's do; the draft says which. ``timely_delivery`` is a statement.
_NOT_STATEMENT_WORDS = frozenset((
    "time", "times", "timestamp", "date", "datetime", "duration", "started", "ended",
    "startdate", "enddate", "starttime", "endtime", "submitted", "recorded", "wave", "waves",
    "id", "ids", "uuid", "guid", "nr", "number", "nummer",
    "tid", "tider", "tidpunkt", "tidsstämpel", "tidsstampel", "klockslag", "datum", "starttid",
    "sluttid", "svarstid", "påbörjad", "paborjad", "avslutad", "inskickad", "våg", "vag",
    "omgång", "omgang", "mätomgång", "matomgang", "löpnummer", "lopnr", "tijd", "tijdstip", "duur"))
#: Words that may stand beside those in such a name (``start_time``, ``date_of_interview``).
_NOT_STATEMENT_QUALIFIERS = frozenset((
    "start", "end", "slut", "total", "in", "of", "the", "s", "sec", "secs", "seconds", "min", "mins",
    "minutes", "sek", "sekunder", "minuter", "survey", "interview", "response", "taken", "spent",
    "completed", "finished", "svar", "enkät", "enkat", "intervju", "klar", "van", "de"))


def _not_a_statement_name(name: str) -> str | None:
    """``"all"`` when a column's name is made of :data:`_NOT_STATEMENT_WORDS` (and
    qualifiers), ``"edge"`` when it only begins or ends with one, else ``None``. Words
    are split at spaces, punctuation, digits and a change from lower to upper case."""
    text = re.sub(r"(?<=[a-zåäöüé])(?=[A-ZÅÄÖÜÉ])", "_", str(name).strip())
    words = [w for w in re.split(r"[^a-zåäöüé]+", text.lower()) if w]
    if not words or not _NOT_STATEMENT_WORDS & set(words):
        return None
    if set(words) <= _NOT_STATEMENT_WORDS | _NOT_STATEMENT_QUALIFIERS:
        return "all"
    return "edge" if words[0] in _NOT_STATEMENT_WORDS or words[-1] in _NOT_STATEMENT_WORDS else None


def _norm_name(name: str) -> str:
    return re.sub(r"[\s.\-]+", "_", str(name).strip().lower())


def _guess_column(columns: Sequence[str], patterns: Sequence[str],
                  exclude: Sequence[str | None] = ()) -> str | None:
    """The first column named like one of ``patterns`` (exactly first, then containing a
    pattern of five letters or more), other than those in ``exclude``."""
    lower = {_norm_name(c): c for c in columns if c not in set(exclude)}
    pats = [_norm_name(p) for p in patterns]
    for p in pats:
        if p in lower:
            return lower[p]
    for p in pats:
        if len(p) < 5:
            continue
        for low, col in lower.items():
            if p in low:
                return col
    return None


def _longest_run(codes: list[int]) -> list[int]:
    best: list[int] = []
    run: list[int] = []
    for c in sorted(set(codes)):
        run = run + [c] if run and c == run[-1] + 1 else [c]
        if len(run) > len(best):
            best = run
    return best


def _flip_signs(r: np.ndarray) -> np.ndarray:
    """Signs (+1/-1) making the items' correlations as positive as possible (local search);
    oriented so that at most half are -1."""
    signs = np.ones(len(r))
    for _ in range(4 * len(r)):
        score = (r @ signs) * signs
        worst = int(np.argmin(score))
        if score[worst] >= 0:
            break
        signs[worst] *= -1
    return -signs if (signs < 0).sum() > len(signs) / 2 else signs


#: Two groups of statements whose scores correlate at least this strongly, one way or the
#: other, once corrected for unreliability, are one scale worded both ways (STAI's
#: anxiety-present and anxiety-absent statements, split apart by a wording factor): the
#: group against the other is reverse-keyed. Different themes of one survey stay apart
#: even when the types make them run against each other: the Swedish demo's themes reach
#: -0.39 to -0.49 (ten samples), bfi's traits -0.29; a planted scale of one trait (loading
#: 0.7) worded both ways with a wording factor of loading 0.5 is about -0.65. Pairs of one
#: Big Five domain in SAPA's spi (-0.50 to -0.58) and msq's energetic and tired statements
#: (-0.57) are left apart: a missed join keeps the old suggestion, a wrong one would turn
#: a whole theme around.
_SAME_SCALE_R = 0.6
#: an item alone in its group is named with the scale it correlates with most, on average,
#: when that mean |r| reaches this
_SINGLE_MIN_R = 0.10


def _true_score_r(rs: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    """The correlation of two groups' scores corrected for unreliability: their items'
    mean correlation over the root of the product of each group's own (``rs`` signed)."""
    def within(g: np.ndarray) -> float:
        return (rs[np.ix_(g, g)].sum() - np.trace(rs[np.ix_(g, g)])) / (len(g) * (len(g) - 1))
    wa, wb = within(a), within(b)
    return float(rs[np.ix_(a, b)].mean() / np.sqrt(wa * wb)) if wa > 0 and wb > 0 else 0.0


def _join_groups(r: np.ndarray, groups: list[np.ndarray], signs: np.ndarray) -> list[np.ndarray]:
    """Groups joined into scales: a group whose score correlates with another's at least
    :data:`_SAME_SCALE_R` either way joins it, its signs flipped to agree (``signs`` is
    changed in place). Largest groups first; the scales' items, in column order."""
    order = sorted(range(len(groups)), key=lambda g: -len(groups[g]))
    scales: list[np.ndarray] = []
    placed: set[int] = set()
    for first in order:
        if first in placed:
            continue
        placed.add(first)
        scale, queue = [first], [first]
        while queue:
            g = queue.pop(0)
            rs = r * np.outer(signs, signs)  # a flip below touches only a group placed with it
            for h in order:
                if h in placed:
                    continue
                rho = _true_score_r(rs, groups[g], groups[h])
                if abs(rho) >= _SAME_SCALE_R:
                    if rho < 0:
                        signs[groups[h]] *= -1
                    placed.add(h)
                    scale.append(h)
                    queue.append(h)
        scales.append(np.sort(np.concatenate([groups[g] for g in scale])))
    return scales


def _with_singles(r: np.ndarray, scales: list[np.ndarray], singles: list[int]) -> list[np.ndarray]:
    """Each scale with the items alone in their group that correlate most with it (mean
    |r| at least :data:`_SINGLE_MIN_R`), so the keying note of a scale names all of its
    statements (user trial 7: the note of a ten-statement scale named nine and left out a
    reverse-keyed one that the draft marked)."""
    if not scales:
        return scales
    out = [list(idx) for idx in scales]
    for i in singles:
        closeness = [float(np.mean(np.abs(r[i, idx]))) for idx in scales]
        best = int(np.argmax(closeness))
        if closeness[best] >= _SINGLE_MIN_R:
            out[best].append(i)
    return [np.array(sorted(idx)) for idx in out]


#: A scale whose majority is won by one statement (2 against 1) takes its orientation from
#: the other scales' statements when its keyed score correlates with theirs at least this
#: much, either way; see :func:`_orient_close_scales`.
_PULL_MIN_R = 0.15


def _orient_close_scales(r: np.ndarray, data: pd.DataFrame, scales: list[np.ndarray],
                         signs: np.ndarray, decided: np.ndarray) -> None:
    """A scale whose majority is won by a single statement (2 against 1, 3 against 2) is
    oriented, as a half-against-half scale is, by its correlations with the other scales'
    statements when they pull clearly (its keyed score correlates with theirs at
    :data:`_PULL_MIN_R` or more, either way); ``signs`` changed in place. User trial 21
    (the Short Dark Triad, 18,192 rows): P2 "I avoid dangerous situations" and P7 "I have
    never gotten into trouble with the law" formed a group of three with P4 "People often
    say I'm out of control" apart from the main scale, and the group's minority, P4, was
    drafted reverse-keyed; P4 correlates positively with the other psychopathy and
    machiavellianism statements, P2 and P7 negatively (published key: N2 N6 N8 P2 P7). Like
    psych's ``alpha(check.keys=TRUE)``, which keys against the first principal component of
    all the statements, the many statements outside a small group say which way it runs."""
    if len(scales) < 2:
        return
    filled = None  # the answers, a missing one as its statement's mean: made once, when needed
    for idx in sorted(scales, key=len, reverse=True):
        flipped = int((signs[idx] < 0).sum())
        if abs(len(idx) - 2 * flipped) != 1:
            continue
        others = np.setdiff1d(np.flatnonzero(decided), idx)
        if not len(others):
            continue
        if filled is None:
            filled = data.fillna(data.mean()).to_numpy()
        own = filled[:, idx] @ signs[idx]
        rest = filled[:, others] @ signs[others]
        if np.std(own) == 0 or np.std(rest) == 0:
            continue
        rho = float(np.corrcoef(own, rest)[0, 1])
        if rho <= -_PULL_MIN_R:
            signs[idx] *= -1


def _suggest_reverse(data: pd.DataFrame) -> tuple[dict[str, bool], list[list[str]], list[list[str]]]:
    """Suggest reverse-keyed items from the answers: ``(reverse by item, guesses, keyed)``.

    Items are grouped by average-linkage clustering of ``1 - |r|`` into as many groups as
    the correlation matrix has eigenvalues above 1; within a group the signs that make
    the correlations most positive are found. Groups whose scores correlate strongly
    (:data:`_SAME_SCALE_R`, either way) are one scale worded both ways and are joined,
    the one against the other flipped; within a scale the minority is reverse-keyed. A
    scale split exactly in half cannot tell which half is reverse-keyed: it takes the
    orientation its correlations with the other scales' items pull it to (the half with
    its first item forward when nothing pulls, e.g. a one-scale survey), and its items
    are listed in ``guesses``. ``keyed`` lists the other scales worded both ways: the
    answers say which statements go against the others, not which way is high, so the
    draft says that its choice (the fewer reverse-keyed) must be checked on the wording
    (user trial 6: a scale of 5 negatively and 3 positively worded statements was keyed
    low-is-high). A scale whose majority is won by one statement (2 against 1) takes its
    orientation from the other scales' statements when they pull clearly
    (:func:`_orient_close_scales`, user trial 21). An item alone in its group takes the sign of its correlations with the
    others.
    """
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    cols = list(data.columns)
    out = {c: False for c in cols}
    r = data.corr().to_numpy()
    if len(data) < 30 or len(cols) < 3 or not np.all(np.isfinite(r)):
        return out, [], []
    k = max(1, int(np.sum(np.linalg.eigvalsh(r) > 1.0)))
    dist = 1 - np.abs(r)
    np.fill_diagonal(dist, 0)
    groups = fcluster(linkage(squareform(dist, checks=False), "average"), k, "maxclust")
    signs = np.ones(len(cols))
    np.fill_diagonal(r, 0)
    singles, multi = [], []
    for g in np.unique(groups):
        idx = np.flatnonzero(groups == g)
        if len(idx) == 1:
            singles.append(idx[0])
        else:
            signs[idx] = _flip_signs(r[np.ix_(idx, idx)])
            multi.append(idx)
    scales = _join_groups(r, multi, signs)
    decided = np.zeros(len(cols), dtype=bool)
    for idx in scales:  # the minority of a scale is reverse-keyed
        flipped = int((signs[idx] < 0).sum())
        if 2 * flipped > len(idx):
            signs[idx] *= -1
        decided[idx] = 2 * flipped != len(idx)
    _orient_close_scales(r, data, scales, signs, decided)
    guesses = []
    for idx in (s for s in scales if not decided[s[0]]):  # half against half
        others = np.flatnonzero(decided)
        pull = signs[idx] @ (r[np.ix_(idx, others)] * np.abs(r[np.ix_(idx, others)])) @ signs[others]
        if pull < 0 or (pull == 0 and signs[idx[0]] < 0):
            signs[idx] *= -1
        decided[idx] = True
        guesses.append([cols[i] for i in idx])
    for i in singles:
        pull = np.sum(r[i] * np.abs(r[i]) * signs)
        signs[i] = -1.0 if pull < 0 else 1.0
    guessed = {c for g in guesses for c in g}
    keyed = [[cols[i] for i in idx] for idx in _with_singles(r, scales, singles)
             if (signs[idx] < 0).any() and cols[idx[0]] not in guessed]
    return {c: bool(sg < 0) for c, sg in zip(cols, signs)}, guesses, keyed


#: A statement worded with a negation says the opposite of its plain form: "I usually don't
#: laugh …", "People are never offended …" (user trial 24, HSQ's reverse-keyed statements);
#: Swedish "inte", "aldrig". Said of the statement's text (its column's name when it has none).
_NEGATION = re.compile(r"(?:n['’]t\b|\b(?:not|no|never|cannot|rarely|seldom|inte|aldrig|sällan|ej|ingen|inget|inga)\b)",
                       re.IGNORECASE)


def _negated_share(cols: Sequence[str], statements: Mapping[str, str]) -> float:
    """The share of ``cols`` whose statement is worded with a negation (:data:`_NEGATION`)."""
    return float(np.mean([bool(_NEGATION.search(str(statements.get(c) or c))) for c in cols]))


def keying_by_wording(reverse: dict[str, bool], scales: Sequence[Sequence[str]],
                      statements: Mapping[str, str]) -> list[list[str]]:
    """Turn the keying of the scales worded both ways so that the negated statements are the
    reverse-keyed ones; return the scales whose keying the wording decided.

    The answers tell which statements of a scale go against the others, not which way is
    high; the draft marks the fewer reverse: true (and guesses a half against half). When
    most statements of one side are worded with a negation ("don't", "not", "never";
    "inte", "aldrig") and at most half of the other side's are, the negated side is marked
    reverse: true, however many. User trial 24 (HSQ, Martin et al. 2003's key, texts as SPSS
    labels): the fewer put reverse: true on the affiliative statements 5, 13 and 21 against
    the published 1, 9, 17, 25, 29 (all five negated, "rarely" and "can't" counted, one of
    the three); by the wording the draft matches the published key on all 32 statements
    (aggressive: 4 of 4 against 3 of 4 negated, not decided by the wording, stays the guess
    from the other scales; ``reverse`` is changed in place).
    """
    decided = []
    for scale in scales:
        back = [c for c in scale if reverse.get(c)]
        forward = [c for c in scale if c in reverse and not reverse[c]]
        if not back or not forward:
            continue
        b, f = _negated_share(back, statements), _negated_share(forward, statements)
        if max(b, f) > 0.5 and min(b, f) <= 0.5:
            if f > b:
                for c in back + forward:
                    reverse[c] = not reverse[c]
            decided.append(list(scale))
    return decided


def draft_instrument(path: str | Path) -> dict[str, Any]:
    """Draft an instrument from a responses file (best from ``.sav`` or a Qualtrics export).

    Items are the integer-valued columns sharing the most common answer range; texts
    come from SPSS variable labels or Qualtrics question texts; the scale and its labels
    from SPSS value labels (labelled codes outside the scale, and SPSS user-missing
    values, become ``missing_codes``) or else from the answers. Items whose answers run
    against the rest of their cluster of correlated items are drafted with
    ``reverse: true`` (a suggestion from the data; see ``_suggest_reverse``). Review the draft
    before use.

    A question stem that several statements share ("Hur väl stämmer följande påståenden
    in på dig? - …", as Qualtrics exports a matrix question) is taken off their texts;
    :func:`instrument_draft_yaml` keeps it once as a comment. Qualtrics survey previews
    and test responses are left out. The respondent id, customer id, duration (seconds)
    and weight columns are recognised by common English, Swedish and Dutch names
    (``ResponseId``, ``deltagare``, ``kundnummer``, ``klantnummer``, ``tid_sek``,
    ``duur``, ``vikt`` ...). A column named as a time, date, wave or id (``time``,
    ``Datum``, ``wave``, ``StartTid``, ``butik_id``; see ``_NOT_STATEMENT_WORDS``) is
    not drafted as a statement even with answers on the statements' scale (one whose name
    only begins or ends so, ``save_time``, is when its answers go with theirs). A scale worded both ways in two
    equal halves is drafted with one half reverse and a comment that this is a guess.
    The study is named after the file's folder, and its ``language`` guessed from the
    statements.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    dict
        Plain data for ``instrument.yaml`` (validated by
        :func:`~behaviortypes.instrument.instrument_from_dict`).

    Raises
    ------
    InputError
        If no column looks like a Likert item.
    """
    return _draft(Path(path))[0]


def _item_ranges(frame: pd.DataFrame, columns: list[str], skip: set, value_labels: dict,
                 user_missing: dict[str, set[float]]) -> dict[str, tuple[int, int, list[float]]]:
    """Candidate items: integer-valued numeric columns, each with its scale ends and other codes."""
    ranges: dict[str, tuple[int, int, list[float]]] = {}
    for col in columns:
        s = frame[col]
        if col in skip or not pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
            continue
        vals = s.dropna()
        if vals.empty or not np.all(np.mod(vals, 1) == 0):
            continue
        labels = value_labels.get(col, {})
        non_answers = {float(k) for k, t in labels.items() if _is_non_answer(t)}  # "Don't know"
        answers = {float(k) for k in labels if float(k) not in non_answers}
        # a labelled midpoint ("Not sure / cannot decide") between two labelled scale points is
        # one; not "Don't know" after the scale beside a label the words miss (9 "Missing")
        non_answers = {k for k in non_answers if not (k - 1 in answers and k + 1 in answers)}
        labelled = sorted(int(k) for k in labels if float(k) not in non_answers)
        main = _longest_run(labelled) if len(labelled) >= 3 else []
        if main:
            lo, hi = main[0], main[-1]
        else:
            core = vals[(vals > -1) & (vals < 90)]
            if core.empty:
                continue
            lo, hi = int(core.min()), int(core.max())
        extra = sorted({float(v) for v in vals.unique() if v < lo or v > hi}
                       | {float(k) for k in labelled if k < lo or k > hi}
                       | {k for k in non_answers if k < lo or k > hi}
                       | user_missing.get(col, set()))
        if 2 <= hi - lo <= 10 and vals[(vals >= lo) & (vals <= hi)].nunique() >= 2:
            ranges[col] = (lo, hi, extra)
    return ranges


def _without_background(frame: pd.DataFrame, items: list[str], ranges: dict, lo: int, hi: int
                        ) -> tuple[list[str], list[str]]:
    """Candidate statements without background questions: ``(statements, background)``.

    A background question is named like one (education, age, gender ...) or misses an end
    of the scale and correlates weakly (``|r| < 0.2``) with every other candidate; a
    statement shares its content with others of its theme.
    """
    named = {c for c in items if _norm_name(c) in {_norm_name(n) for n in _BACKGROUND_NAMES}}
    behaviour = {_norm_name(n) for n in _BEHAVIOUR_NAMES}
    named |= {c for c in items if _norm_name(c) in behaviour and tuple(ranges[c][:2]) != (lo, hi)}
    rest = [c for c in items if c not in named]
    weak = set()
    if len(rest) >= 3:
        with np.errstate(invalid="ignore", divide="ignore"):
            r = frame[rest].astype(float).corr().abs().to_numpy()
        np.fill_diagonal(r, np.nan)
        top = pd.Series(np.nanmax(np.where(np.isnan(r), -1, r), axis=1), index=rest)
        weak = {c for c in rest if (ranges[c][0] > lo or ranges[c][1] < hi) and top[c] < _BACKGROUND_MAX_R}
        weak |= unlike_statements(rest, top) - {c for c in rest if _norm_name(c) in behaviour}  # (said by name)
    background = [c for c in items if c in named or c in weak]
    return [c for c in items if c not in background], background


def unlike_statements(columns: list[str], top: pd.Series) -> set[str]:
    """Columns that are probably not statements though answered on the scale: ``top`` (each
    column's largest |r| with another candidate) below :data:`UNRELATED_MAX_R` and a name that
    is a short lowercase word (``source``) when most candidates' names are not."""
    word = re.compile(r"[a-zåäö_]{2,20}")
    words = {c for c in columns if word.fullmatch(str(c))}
    if 2 * len(words) >= len(columns):
        return set()
    return {c for c in words if top[c] < UNRELATED_MAX_R}


def _draft(path: Path) -> tuple[dict[str, Any], dict[str, list[str]], dict[str, int], list[dict[str, Any]]]:
    """The draft, the question stems taken off its statements (stem → item ids), the
    columns left out of it (column → number of different values) and notes for its top."""
    path = Path(path)
    if path.suffix.lower() in SPSS_EXT:
        raw = read_spss(path, user_missing=True)
    else:
        raw = read_raw(path)
    raw, _, _ = drop_qualtrics_previews(raw)  # survey previews and tests are not respondents
    attrs = dict(raw.attrs)
    frame = pd.DataFrame({c: coerce(raw[c]) for c in raw.columns})
    columns = [str(c) for c in frame.columns]
    value_labels = attrs.get("value_labels", {})
    texts = attrs.get("column_labels") or attrs.get("question_text") or {}
    user_missing: dict[str, set[float]] = {}
    for col, ranges in attrs.get("missing_ranges", {}).items():
        user_missing[col] = {float(r["lo"]) for r in ranges if r["lo"] == r["hi"]}
    id_col, customer, duration, weight = _special_columns(frame, columns)
    skip = {id_col, duration, weight, customer} | {c for c in columns if c.lower() in _QUALTRICS_META}
    skip.discard(None)
    frame, value_labels, labelled = _coded_text_labels(frame, columns, skip, value_labels)
    ranges = _item_ranges(frame, columns, skip, value_labels, user_missing)
    named = {c: ranges.pop(c) for c in list(ranges) if _not_a_statement_name(c)}  # time, date, id ...
    if not ranges:
        raise _no_items_error(path, labelled)
    lo, hi = _scale_ends(ranges)
    lo, ranges, stray = _stray_zero(frame, ranges, lo, hi, value_labels)
    items = [c for c, (a, b, _) in ranges.items() if lo <= a and b <= hi and 2 * (b - a) >= hi - lo]
    stray += _range_notes([c for c in ranges if c not in items], ranges, lo, hi)
    items, background = _without_background(frame, items, ranges, lo, hi)
    kept, moved = _named_columns(frame, named, items, lo, hi)
    ranges.update({c: named[c] for c in kept})
    items = [c for c in columns if c in set(items) | set(kept)]
    missing_codes = sorted({v for c in items for v in ranges[c][2] if v < lo or v > hi})
    data = frame[items].where(~frame[items].isin(missing_codes)).astype(float)
    # instructed-response items: named so, or nearly everyone gives one answer
    checks = []
    for col in items:
        shares = data[col].value_counts(normalize=True)
        named = re.search(r"att(n|ention)|check|instruct", col, re.IGNORECASE)
        if len(shares) and (named or shares.iloc[0] >= 0.9):
            checks.append({"id": col, "expect": int(shares.index[0])})
    items = [c for c in items if c not in {ch["id"] for ch in checks}]
    data = data[items]
    if len(items) < 2:
        raise _no_items_error(path, labelled)
    reverse, guesses, keyed = _suggest_reverse(data)
    scale: dict[str, Any] = {"min": int(lo), "max": int(hi)}
    label_sets = [value_labels[c] for c in items if c in value_labels]
    if label_sets:
        chosen = pd.Series([json.dumps(sorted(d.items())) for d in label_sets]).value_counts().index[0]
        labels = dict(json.loads(chosen))
        # the scale's points, and the missing codes that say no answer (text answers read so)
        scale["labels"] = {int(float(k)): str(v) for k, v in labels.items()
                           if lo <= float(k) <= hi or (float(k) in missing_codes and _is_non_answer(v))}
    if missing_codes:
        scale["missing_codes"] = [int(v) if float(v).is_integer() else v for v in missing_codes]
    statements, stems = split_question_stems({c: str(texts.get(c) or "") for c in items})
    worded = keying_by_wording(reverse, guesses + keyed, statements)
    draft: dict[str, Any] = {"name": _study_name(path)}
    # a CSV's statements are its column names (no labels): their language too (user trial 9)
    language = guess_language(statements.get(c) or c for c in items)
    if language:
        draft["language"] = language
    # no id column: instrument.yaml names the one to add (check says it is missing)
    draft.update({"id_column": id_col or _ADDED_ID, "scale": scale})
    if customer:
        draft["customer_id_column"] = customer
    if duration:
        draft["duration_column"] = duration
    if weight:
        draft["weight_column"] = weight
    draft["items"] = [
        {"id": c, "text": statements.get(c) or c, "reverse": reverse[c]} for c in items
    ]
    if checks:
        draft["attention_checks"] = checks
    taken = skip | set(items) | {ch["id"] for ch in checks} | set(background)
    described, unused = _other_columns(frame, [c for c in columns if c not in taken])
    if background or described:
        draft["descriptors"] = [{"column": c} for c in background + described]
    instrument_from_dict(draft, file=path)  # a draft must load
    notes = (_draft_notes(draft, frame, lo, hi, background) + _non_answer_notes(scale)
             + _named_notes(kept, moved, lo, hi)
             + _guess_notes(draft, [g for g in guesses if g not in worded])
             + _keyed_notes(draft, [k for k in keyed if k not in worded]) + _worded_notes(draft, worded)
             + ([labelled] if isinstance(labelled, dict) else []) + stray + _c1_notes(attrs))
    return draft, stems, unused, notes


def _c1_notes(attrs: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A comment when the file's column names held C1 control characters
    (:func:`~behaviortypes.readers.tables.header_name` read them as the Windows-1252
    characters they were; user trial 22: U+0096 for an en dash in a Google Forms header)."""
    fixed = attrs.get("c1_fixed") or {}
    if not fixed:
        return []
    shown = ", ".join(f"{code} → '{meant}'" if meant else f"{code} → ''" for code, meant in fixed.items())
    return [_note("draft_c1", shown=shown)]


#: Share of the candidate statements whose answers reach one point beyond the most common
#: end of the scale at or above which that point belongs to the scale (user trial 12: 12 of
#: 25 ASTI statements answered 1-4, 13 only 1-3; the draft said 1-3 and filed the 12 as
#: background questions). A point that a quarter of the statements use is the scale's, not a
#: stray code; the other statements just had nobody answer it.
_WIDER_SCALE_SHARE = 0.25


def _scale_ends(ranges: dict) -> tuple[int, int]:
    """The statements' scale: the most common lowest and highest answers, each widened by one
    point that at least :data:`_WIDER_SCALE_SHARE` of the candidates (two or more) reach.

    A statement belongs to the scale when its answers lie within and span at least half of it
    (in a small sample, or on a skewed statement, not every statement gets a 1 or a 7).
    """
    los = pd.Series([a for a, _, _ in ranges.values()])
    his = pd.Series([b for _, b, _ in ranges.values()])
    lo, hi = int(los.value_counts().index[0]), int(his.value_counts().index[0])
    if hi - lo < 2:
        lo, hi = pd.Series([(a, b) for a, b, _ in ranges.values()]).value_counts().index[0]
    wider = his == hi + 1
    if wider.sum() >= 2 and wider.mean() >= _WIDER_SCALE_SHARE and hi + 1 - lo <= 10:
        hi += 1
    lower = los == lo - 1
    if lower.sum() >= 2 and lower.mean() >= _WIDER_SCALE_SHARE and hi - lo + 1 <= 10:
        lo -= 1
    return int(lo), int(hi)


def _range_notes(out: list[str], ranges: dict, lo: int, hi: int) -> list[dict[str, Any]]:
    """A comment naming the answer columns left out of ``items:`` for their range (trial 12:
    12 statements filed as background questions without a word)."""
    if not out:
        return []
    shown = [f"{c} ({ranges[c][0]}-{ranges[c][1]})" for c in out]
    return [_note("draft_range_out", shown, lo=lo, hi=hi)]


def _stray_zero(frame: pd.DataFrame, ranges: dict, lo: int, hi: int, value_labels: dict
                ) -> tuple[int, dict, list[dict[str, Any]]]:
    """A 0 below a 1-to-``hi`` scale that hardly anyone answered is a code for a missed
    answer, not the scale's bottom (user trial 7: one respondent of 19,719 with 0 = "missed"
    everywhere drafted the Big Five's 1-5 scale as 0-5). Rare: under 0.5 % of the answers
    while 1 has at least 1 %; not when the file labels 0. Returns ``(lo, ranges, notes)``,
    0 moved to the columns' other codes (so to ``missing_codes``) and a note saying so."""
    if lo != 0 or hi < 3 or any(_labels_zero(value_labels.get(c, {})) for c in ranges):
        return lo, ranges, []
    v = frame[list(ranges)].to_numpy(dtype=float).ravel()
    v = v[~np.isnan(v)]
    n0, n1 = int(np.sum(v == 0)), int(np.sum(v == 1))
    if not 0 < n0 <= 0.005 * v.size or n1 < 0.01 * v.size:
        return lo, ranges, []
    moved = {c: ((1, b, sorted(set(x) | {0.0})) if a == 0 else (a, b, x)) for c, (a, b, x) in ranges.items()}
    return 1, moved, [_note("draft_stray_zero", n=n0, share=100 * n0 / v.size, max=hi)]


def _labels_zero(labels: dict) -> bool:
    """Whether value labels label the answer 0 (a key 0, 0.0 or a text "0")."""
    for key in labels:
        try:
            if float(key) == 0:
                return True
        except (TypeError, ValueError):
            continue
    return False


def _no_items_error(path: Path, labelled: dict | tuple[str, list[str]] | None) -> InputError:
    """No statements found; when columns share text answers, the hint to list them as labels."""
    if isinstance(labelled, tuple):
        col, labels = labelled
        return InputError(code="problem_draft_labels", values={"labels": ", ".join(labels)}, file=path, column=col)
    return InputError(code="problem_draft_no_items", file=path)


def _coded_text_labels(frame: pd.DataFrame, columns: list[str], skip: set, value_labels: dict
                       ) -> tuple[pd.DataFrame, dict, dict | tuple[str, list[str]] | None]:
    """Columns answered with known agree/disagree labels, as codes 1..n in their usual order.

    Returns the frame (those columns coded), the value labels (theirs added) and a note
    saying the order is a guess; when two or more columns share a small set of other
    text answers, instead of the note the first such column and its labels (for the
    error when no statement is found: :func:`_no_items_error`).
    """
    texts = {}
    for col in columns:
        s = frame[col]
        if col in skip or pd.api.types.is_numeric_dtype(s):
            continue
        vals = {str(v) for v in s.dropna().unique()}
        if 2 <= len(vals) <= 11 and all(len(v) <= 40 for v in vals):
            texts[col] = vals
    # agree/disagree labels, and maybe "Don't know" (no answer: a missing code, below)
    # and maybe a whole number below or above the labels' codes (0 = missed, 99): a code,
    # left as its number for the scale's ends and missing codes to judge (session 14)
    known = {c: v for c, v in texts.items()
             if all(t.casefold() in _LABEL_ORDER or _is_non_answer(t) or _whole(t) is not None for t in v)
             and sum(t.casefold() in _LABEL_ORDER for t in v) >= 2}
    n_labels = len({t.casefold() for v in known.values() for t in v if t.casefold() in _LABEL_ORDER})
    # a number that could be a label's own code ("3" among "Agree" ...) is not guessed at
    known = {c: v for c, v in known.items() if not any(1 <= (_whole(t) or 0) <= n_labels for t in v)}
    numbers = {_whole(t) for v in known.values() for t in v} - {None}
    spelled: dict[str, str] = {}  # casefolded -> as first written
    for col in known:
        for t in frame[col].dropna():
            if _whole(str(t)) is None:
                spelled.setdefault(str(t).casefold(), str(t))
    non_answers = [t for t in spelled if t not in _LABEL_ORDER]
    ranks = [_LABEL_ORDER[t] for t in spelled if t in _LABEL_ORDER]
    if len(known) < 2 or len(set(ranks)) < len(ranks):  # none, or two labels of one place
        shared = pd.Series([frozenset(v) for v in texts.values()], dtype=object).value_counts()
        if len(shared) and shared.iloc[0] >= 2:
            col = next(c for c, v in texts.items() if frozenset(v) == shared.index[0])
            return frame, value_labels, (col, sorted(shared.index[0]))
        return frame, value_labels, None
    ordered = sorted((t for t in spelled if t in _LABEL_ORDER), key=lambda t: _LABEL_ORDER[t])
    code = {t: i + 1 for i, t in enumerate(ordered)}
    top = 9 if len(ordered) + len(non_answers) < 9 else 99  # missing codes: 9, 8 ... (99 ...)
    free = (c for c in range(top, len(ordered), -1) if c not in numbers)  # not a code the file uses
    code.update({t: next(free, top + 1 + i) for i, t in enumerate(non_answers)})
    frame = frame.copy()
    for col in known:
        frame[col] = frame[col].map(
            lambda v: (code.get(v.casefold()) if _whole(v) is None else _whole(v)) if isinstance(v, str) else v)
        frame[col] = frame[col].astype(float)
    labels = {float(code[t]): spelled[t] for t in ordered + non_answers}
    value_labels = {**value_labels, **{c: labels for c in known}}
    note = {"code": "draft_labels_guess",
            "values": {"n": len(ordered), "order": " < ".join(spelled[t] for t in ordered)}}
    return frame, value_labels, note


def _whole(text: str) -> int | None:
    """A cell written as a whole number ("0", "99"), as that number; else None."""
    match = re.fullmatch(r"\s*([+-]?\d{1,6})(?:[.,]0*)?\s*", text)
    return int(match.group(1)) if match else None


def _special_columns(frame: pd.DataFrame, columns: list[str]
                     ) -> tuple[str | None, str | None, str | None, str | None]:
    """The respondent id, customer id, duration and weight columns, by their names (and
    values: ids unique, duration and weight numeric); ``None`` for each not found."""
    customer = _guess_column(columns, _CUSTOMER_NAMES)
    id_col = _guess_column(columns, _ID_NAMES, exclude=[customer])
    if id_col is None or not _could_be_ids(frame[id_col], small_ok=True):
        id_col = next((c for c in columns if c != customer and _could_be_ids(frame[c])), None)
    if customer == id_col:
        customer = None
    duration = _guess_column(columns, _DURATION_NAMES, exclude=[id_col, customer])
    if duration is not None and not pd.api.types.is_numeric_dtype(frame[duration]):
        duration = None  # e.g. a "tid" column holding clock times
    weight = _guess_column(columns, _WEIGHT_NAMES, exclude=[id_col, customer, duration])
    if weight is not None and not pd.api.types.is_numeric_dtype(frame[weight]):
        weight = None
    return id_col, customer, duration, weight


def _named_columns(frame: pd.DataFrame, named: dict[str, tuple], items: list[str], lo: int, hi: int
                   ) -> tuple[list[str], list[str]]:
    """Columns named like a time, date, wave or id whose answers fit the statements' scale:
    ``(kept as statements, moved to the other columns)``. Kept: a name that only begins or
    ends with such a word and answers that go with a statement's (see
    :data:`_NOT_STATEMENT_WORDS`)."""
    fit = [c for c, (a, b, _) in named.items() if lo <= a and b <= hi and 2 * (b - a) >= hi - lo]
    kept = []
    for col in fit:
        if items and _not_a_statement_name(col) == "edge":
            with np.errstate(invalid="ignore", divide="ignore"):
                r = frame[items].astype(float).corrwith(frame[col].astype(float)).abs().max()
            if r >= _BACKGROUND_MAX_R:
                kept.append(col)
    return kept, [c for c in fit if c not in kept]


def _note(code: str, columns: Sequence[str] | None = None, **values: Any) -> dict[str, Any]:
    """A comment of the draft as a code of ``report/i18n`` and its values (said by :func:`_said`);
    ``columns``: the columns it is about (one or more: the words agree)."""
    if columns is not None:
        values.update(columns=", ".join(columns), one=len(columns) == 1)
    return {"code": code, "values": values}


def _said(note: Mapping[str, Any], t: Mapping[str, str], fmt: Any = None) -> str:
    """A comment of the draft in the language of ``t`` (``report/i18n`` ``draft_*`` texts);
    ``fmt`` writes its percentage as the language does ("0,05" in Swedish)."""
    values = dict(note.get("values") or {})
    share = values.get("share")
    if isinstance(share, float):  # (a percentage: "0.05" / "0,05", the template adds " %")
        values["share"] = fmt.num(share, 2) if fmt is not None else f"{share:.2f}"
    r = values.get("r")
    if isinstance(r, float):  # (a correlation: "0.15" / "0,15")
        values["r"] = fmt.num(r, 2) if fmt is not None else f"{r:.2f}"
    one = values.pop("one", None)
    if one is not None:  # "a statement" / "statements", "it" / "them" ...
        for word in ("statement", "it", "its", "background"):
            values[f"w_{word}"] = t[f"draft_w_{word}_{'1' if one else 'n'}"]
    scale = values.pop("scale", None)
    if scale is not None:  # a long scale is shown by its ends
        values["shown"] = (", ".join(scale) if len(scale) <= 6 else
                           t["draft_guess_many"].format(first=scale[0], last=scale[-1], n=len(scale)))
    return t[note["code"]].format(**values)


def _named_notes(kept: list[str], moved: list[str], lo: int, hi: int) -> list[dict[str, Any]]:
    """Comments for columns named like a time, date, wave or id on the statements' scale."""
    notes = []
    if moved:
        notes.append(_note("draft_named_moved", moved, lo=lo, hi=hi))
    if kept:
        notes.append(_note("draft_named_kept", kept, lo=lo, hi=hi))
    return notes


#: The id column a draft names when the file has none (the user adds it).
_ADDED_ID = "respondent_id"
#: Words of a time-stamp column's name: drafted as the id when no other column can be, with a
#: comment (user trial 22: Google Forms' Timestamp, in seconds, can repeat).
_TIME_WORDS = frozenset(("time", "timestamp", "date", "datetime", "submitted", "recorded", "started",
                         "tidpunkt", "tidsstämpel", "tidsstampel", "datum", "inskickad"))


def _could_be_ids(values: pd.Series, *, small_ok: bool = False) -> bool:
    """Whether a column can hold respondent ids: every row has one, each a different one.

    Unique whole numbers all between -1 and ``_SMALL_INT_MAX`` that are not a row counter
    (1, 2, ... n) are refused unless ``small_ok`` (a column named as an id): in a small
    file, ages or years of birth can be unique by chance.
    """
    if values.isna().any() or values.duplicated().any():
        return False
    if small_ok or not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return True
    whole = bool(np.all(np.mod(values, 1) == 0))
    small = whole and values.min() >= -1 and values.max() <= _SMALL_INT_MAX
    start = int(values.min()) if whole else -2
    counter = start in (0, 1) and sorted(values.astype(int)) == list(range(start, start + len(values)))
    return not small or counter


def _draft_notes(draft: dict[str, Any], frame: pd.DataFrame, lo: int, hi: int, background: list[str]
                 ) -> list[dict[str, Any]]:
    """Comments for the top of the draft: a missing id column, statements named like
    background questions."""
    notes = []
    if draft["id_column"] == _ADDED_ID and _ADDED_ID not in frame.columns:
        notes.append(_note("draft_no_id", id=_ADDED_ID))
    elif _TIME_WORDS & set(re.split(r"[^a-zåäöüé]+", str(draft["id_column"]).lower())):
        notes.append(_note("draft_time_id", column=draft["id_column"], id=_ADDED_ID))
    behaviour = {_norm_name(n) for n in _BEHAVIOUR_NAMES} | {_norm_name(n) for n in _BACKGROUND_NAMES}
    kept = [i["id"] for i in draft["items"] if _norm_name(i["id"]) in behaviour]
    if kept:
        notes.append(_note("draft_kept_background", kept, lo=lo, hi=hi))
    moved = [c for c in background if _norm_name(c) in {_norm_name(n) for n in _BEHAVIOUR_NAMES}]
    if moved:
        notes.append(_note("draft_moved_background", moved, lo=lo, hi=hi))
    # moved for their part of the scale and weak correlations, not their name: said too (trial 12)
    background_names = {_norm_name(n) for n in (*_BEHAVIOUR_NAMES, *_BACKGROUND_NAMES)}
    weak = [c for c in background if _norm_name(c) not in background_names]
    whole = [c for c in weak if frame[c].min() <= lo and frame[c].max() >= hi]  # on the whole scale
    if whole:  # (user trial 23: a code column 1-5 among statements 1-5)
        notes.append(_note("draft_unlike_out", whole, lo=lo, hi=hi, r=float(UNRELATED_MAX_R)))
    weak = [c for c in weak if c not in whole]
    if weak:
        notes.append(_note("draft_weak_out", weak, lo=lo, hi=hi))
    return notes


def _non_answer_notes(scale: dict[str, Any]) -> list[dict[str, Any]]:
    """A comment on the labels that are no answer on the scale ("Don't know", "Vet ej")."""
    codes = [c for c in scale.get("missing_codes", []) if _is_non_answer((scale.get("labels") or {}).get(c))]
    if not codes:
        return []
    shown = ", ".join(f"{c} = {scale['labels'][c]}" for c in codes)
    return [_note("draft_non_answers", shown=shown, min=scale["min"], max=scale["max"])]


def _guess_notes(draft: dict[str, Any], guesses: list[list[str]]) -> list[dict[str, Any]]:
    """A comment per scale of statements split half against half: which half is
    reverse-keyed is a guess the user must check."""
    reverse = {i["id"] for i in draft["items"] if i["reverse"]}
    return [_note("draft_guess", scale=list(scale), half=len(scale) // 2,
                  marked=", ".join(c for c in scale if c in reverse)) for scale in guesses]


def _keyed_notes(draft: dict[str, Any], keyed: list[list[str]]) -> list[dict[str, Any]]:
    """A comment per scale worded both ways: the fewer statements were drafted as
    reverse-keyed, which the answers cannot confirm (only the wording says which way is
    high)."""
    reverse = {i["id"] for i in draft["items"] if i["reverse"]}
    return [_note("draft_keyed", scale=list(scale),
                  marked=", ".join(c for c in scale if c in reverse),
                  forward=", ".join(c for c in scale if c not in reverse)) for scale in keyed]


def _worded_notes(draft: dict[str, Any], worded: list[list[str]]) -> list[dict[str, Any]]:
    """A comment per scale worded both ways whose reverse-keyed statements the wording chose
    (:func:`keying_by_wording`): which, and why."""
    reverse = {i["id"] for i in draft["items"] if i["reverse"]}
    notes = []
    for scale in worded:
        marked = [c for c in scale if c in reverse]
        notes.append(_note("draft_keyed_negated", scale=list(scale), marked=", ".join(marked),
                           n=len(marked), total=len(scale),
                           forward=", ".join(c for c in scale if c not in reverse)))
    return notes


def _other_columns(frame: pd.DataFrame, columns: list[str]) -> tuple[list[str], dict[str, int]]:
    """The responses file's other columns: ``(descriptors, left out)``.

    A column with 2-12 different answers (gender, education, party, a yes/no) is drafted as
    a descriptor, as ``profile`` picks descriptors when none are listed; one with more
    (age in years, free text) is left out, with its number of values, for a comment.
    """
    from ..instrument import AUTO_MAX_LEVELS

    described, unused = [], {}
    for col in columns:
        values = frame[col].dropna()
        n = values.astype(str).str.strip().replace("", np.nan).dropna().nunique()
        if 2 <= n <= AUTO_MAX_LEVELS:
            described.append(col)
        elif n > AUTO_MAX_LEVELS:
            unused[col] = int(n)
    return described, unused


#: File names that say nothing about the study: the draft is named after the folder.
_GENERIC_STEMS = {"responses", "response", "data", "export", "survey", "results", "svar", "enkät",
                  "enkat", "antwoorden", "enquete", "raw", "download"}


def _study_name(path: Path) -> str:
    """The study's name: its survey folder's (``surveys/<study>/responses.csv``)."""
    folder = path.resolve().parent.name
    if folder and folder.lower() not in {"", "surveys", "data", "downloads", "tmp"}:
        return folder
    stem = re.split(r"[_ ]\d", path.stem)[0].strip() or path.stem  # "Kundstudie_5 januari 2026"
    return stem if stem.lower() not in _GENERIC_STEMS else (folder or stem)


def instrument_draft_yaml(path: str | Path, *, lang: str | None = None) -> str:
    """:func:`draft_instrument` of ``path`` as YAML text, ready for ``instrument.yaml``.

    Long lines are never wrapped (a statement stays on one line, so the text
    round-trips however it is written or printed), and the question stem taken off
    the statements is kept once, as a comment above them. The comments are in ``lang``
    (``"en"`` or ``"sv"``; default: the language guessed from the statements, the
    draft's ``language``, else English).
    """
    import yaml

    from ..texts import Formatter, load_texts

    path = Path(path)
    draft, stems, unused, notes = _draft(path)
    lang = output_language(lang, draft.get("language"))
    t, fmt = load_texts(lang), Formatter(lang)
    text = "".join(f"# {_said(note, t, fmt)}\n" for note in [_note("draft_header", file=path.name), *notes])
    if unused:
        columns = ", ".join(t["draft_values"].format(column=c, n=n) for c, n in unused.items())
        text += f"# {t['draft_left_out'].format(columns=columns)}\n"
    body = yaml.safe_dump(draft, sort_keys=False, allow_unicode=True, width=float("inf"))
    if stems:
        note = "".join(f"# {t['draft_stem'].format(first=', '.join(cols[:1]), last=cols[-1], stem=stem)}\n"
                       for stem, cols in stems.items())
        body = body.replace("\nitems:\n", "\n" + note + "items:\n", 1)
    return text + body


#: The comments of a draft that ``instrument draft --out`` says again on the terminal, in this
#: order: each with its short line (``report/i18n`` ``cli_draft_*``), or ``None``: the comment
#: itself as one line (:func:`draft_comment`: which columns, why). Said by :func:`draft_summary`.
DRAFT_SAID = {"draft_no_id": "cli_draft_no_id", "draft_time_id": None, "draft_guess": "cli_draft_guess",
              "draft_keyed": "cli_draft_keyed", "draft_labels_guess": "cli_draft_labels",
              "draft_named_moved": "cli_draft_named", "draft_stray_zero": "cli_draft_stray_zero",
              "draft_range_out": None, "draft_weak_out": None, "draft_unlike_out": None,
              "draft_c1": None, "draft_keyed_negated": "cli_draft_keyed_negated"}

def draft_notices(text: str, codes: Sequence[str] = tuple(DRAFT_SAID)) -> tuple[str, list[str]]:
    """The language of a drafted ``instrument.yaml`` text and which of its comments
    (``codes``, default those of :data:`DRAFT_SAID`) it holds: ``("sv", ["draft_guess"])``.

    Found by each comment's longest fixed words on its first line, in English and Swedish.
    """
    from ..texts import load_texts

    for lang in ("sv", "en"):
        t = load_texts(lang)
        if _fixed_words(t["draft_header"]) in text:
            return lang, [code for code in codes if _fixed_words(t[code]) in text]
    return "en", []


def _fixed_words(template: str) -> str:
    """The longest words of a comment's first line that no value replaces: how it is found."""
    return max(re.split(r"\{[^}]*\}", template.split("\n")[0]), key=len)


def draft_summary(text: str) -> tuple[str, list[str]]:
    """The language of a drafted ``instrument.yaml`` text and the lines that
    ``instrument draft --out`` says after "Wrote …": one per comment at its top that needs
    the user (:data:`DRAFT_SAID`), in the draft's language.
    """
    from ..texts import load_texts

    lang, found = draft_notices(text)
    t = load_texts(lang)
    lines = [t[DRAFT_SAID[code]] if DRAFT_SAID[code] else draft_comment(text, code) for code in found]
    return lang, [line for line in lines if line]


def draft_comment(text: str, code: str) -> str | None:
    """The comment ``code`` at the top of a drafted ``instrument.yaml`` text as one line
    (its ``# `` and line breaks taken off), in the draft's language; ``None`` when absent.
    ``instrument draft --out`` says the range comment so on the terminal: which columns, why."""
    from ..texts import load_texts

    lang, _ = draft_notices(text)
    template = load_texts(lang)[code]
    first = _fixed_words(template)
    lines = text.splitlines()
    at = next((i for i, line in enumerate(lines) if first in line), None)
    if at is None:
        return None
    part = lines[at:at + template.count("\n") + 1]
    return " ".join(line.removeprefix("#").strip() for line in part)


def write_instrument_draft(path: str | Path, out: str | Path | None = None, *,
                           overwrite: bool = False, lang: str | None = None) -> Path:
    """Write :func:`draft_instrument` of ``path`` as YAML (default ``instrument.yaml`` beside it).

    Raises
    ------
    InputError
        If ``out`` exists and ``overwrite`` is false.
    """
    path = Path(path)
    out = Path(out) if out is not None else path.with_name("instrument.yaml")
    if out.exists() and not overwrite:
        raise InputError(code="problem_draft_exists", file=out)
    return write_text(out, instrument_draft_yaml(path, lang=lang))
