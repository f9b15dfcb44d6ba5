"""Traceability between interview themes and survey statements, and quotes for each type."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import InputError
from ..i18n import said
from ..instrument import Instrument
from .analysis import participant_names, prevalence
from .anonymise import anonymise, pseudonymise
from .data import Interviews

__all__ = ["Traceability", "traceability", "type_quotes"]


def _key(name: object) -> str:
    return re.sub(r"\s+", " ", str(name)).strip().casefold()


def _tree(interviews: Interviews) -> dict[str, str | None]:
    """Theme key -> parent key (``None`` at the top)."""
    parent = {
        _key(t): (_key(p) if isinstance(p, str) else None)
        for t, p in zip(interviews.codebook["theme"], interviews.codebook["parent"])
    }
    for t, p in zip(interviews.codings["theme"], interviews.codings["parent"]):
        parent.setdefault(_key(t), _key(p) if isinstance(p, str) else None)
    return parent


def _ancestors(parent: dict[str, str | None], key: str) -> set[str]:
    seen: set[str] = set()
    p = parent.get(key)
    while p is not None and p not in seen and p != key:  # cycle-safe
        seen.add(p)
        p = parent.get(p)
    return seen


def _descendants(parent: dict[str, str | None], key: str) -> set[str]:
    return {t for t in parent if key in _ancestors(parent, t)}


@dataclass(frozen=True)
class Traceability:
    """How interview themes and survey statements link up.

    Attributes
    ----------
    table : pandas.DataFrame
        ``theme, parent, n_participants, share, item, item_text``: one row per
        theme–statement link, plus one row (``item`` empty) per theme without a
        statement.
    themes_without_items : list of str
        Themes (coded, or in the codebook) that no statement comes from, most
        prevalent first; a theme counts as covered when a statement names it, one of
        its parents or one of its sub-codes.
    items_without_theme : list of str
        Statement ids with no ``theme`` in the instrument.
    unknown_item_themes : pandas.DataFrame
        ``item, theme, suggestion``: statements whose theme is not in the
        interviews (``suggestion`` is the closest theme name, if any).
    """

    table: pd.DataFrame
    themes_without_items: list[str]
    items_without_theme: list[str]
    unknown_item_themes: pd.DataFrame

    @property
    def ok(self) -> bool:
        """True when every theme has a statement and every statement a known theme."""
        return not (
            self.themes_without_items or self.items_without_theme or len(self.unknown_item_themes)
        )

    def summary(self, lang: str = "en") -> str:
        """A few lines for ``behaviortypes check``, in ``lang`` (``report/i18n``)."""
        from ..i18n import counted, said
        from ..texts import load_texts

        lang = lang if lang in ("en", "sv") else "en"
        t = load_texts(lang)
        lines = []
        if self.themes_without_items:
            lines.append(said("check_themes_without_items", lang, n=counted(len(self.themes_without_items), "themes"),
                              themes=", ".join(self.themes_without_items[:8])))
        if self.items_without_theme:
            lines.append(said("check_items_without_theme", lang,
                              n=counted(len(self.items_without_theme), "statements"),
                              items=", ".join(self.items_without_theme[:8])))
        for row in self.unknown_item_themes.itertuples():
            key = "check_unknown_theme_hint" if row.suggestion else "check_unknown_theme"
            lines.append(t[key].format(item=row.item, theme=row.theme, suggestion=row.suggestion))
        return "\n".join(lines) or t["check_traced"]

    def to_dict(self) -> dict:
        return {
            "themes_without_items": self.themes_without_items,
            "items_without_theme": self.items_without_theme,
            "unknown_item_themes": self.unknown_item_themes.to_dict(orient="records"),
            "links": self.table.dropna(subset=["item"]).to_dict(orient="records"),
        }


def traceability(instrument: Instrument, interviews: Interviews) -> Traceability:
    """Link the instrument's statements (``items[].theme``) to the interview themes.

    Theme names are matched case-insensitively, ignoring extra spaces.

    Returns
    -------
    Traceability
    """
    prev = prevalence(interviews).set_index("theme") if len(interviews.codings) else None
    themes = list(dict.fromkeys(list(interviews.themes) + list(interviews.codebook["theme"])))
    by_key = {_key(t): t for t in themes}
    tree = _tree(interviews)
    items = [(it.id, it.text, it.theme) for it in instrument.items]
    named = {_key(th) for _, _, th in items if th}
    covered = {
        t for t in themes
        if ({_key(t)} | _ancestors(tree, _key(t)) | _descendants(tree, _key(t))) & named
    }  # fmt: skip
    rows, unknown = [], []
    for item_id, text, theme in items:
        if not theme:
            continue
        if _key(theme) not in by_key:
            close = difflib.get_close_matches(str(theme), themes, n=1, cutoff=0.6)
            suggestion = close[0] if close else None
            unknown.append({"item": item_id, "theme": theme, "suggestion": suggestion})
            continue
        rows.append({"theme": by_key[_key(theme)], "item": item_id, "item_text": text})
    for t in themes:
        if t not in covered:
            rows.append({"theme": t, "item": None, "item_text": None})
    table = pd.DataFrame(rows, columns=["theme", "item", "item_text"])
    table.insert(1, "parent", [interviews.parent_of(t) for t in table["theme"]])
    known = prev is not None
    table.insert(2, "n_participants", [
        int(prev.at[t, "n_participants"]) if known and t in prev.index else 0 for t in table["theme"]
    ])  # fmt: skip
    table.insert(3, "share", [
        float(prev.at[t, "share"]) if known and t in prev.index else np.nan for t in table["theme"]
    ])  # fmt: skip
    without = table[table["item"].isna()]
    without = without.sort_values("n_participants", ascending=False, kind="stable")
    return Traceability(
        table=table.reset_index(drop=True),
        themes_without_items=without["theme"].tolist(),
        items_without_theme=[i for i, _, th in items if not th],
        unknown_item_themes=pd.DataFrame(unknown, columns=["item", "theme", "suggestion"]),
    )


_VIVID = re.compile(
    r"\b(I|I'm|I've|me|my|love|hate|always|never|honestly|really|feel|felt|worry|afraid|annoy\w*|"
    r"frustrat\w*|hope|want|need)\b|[!?]",
    re.IGNORECASE,
)


def _quote_score(quote: str) -> float:
    words = len(quote.split())
    if words < 4:
        return -1.0
    length = 1.0 if 8 <= words <= 35 else max(0.0, 1 - abs(words - 20) / 60)
    vivid = min(len(_VIVID.findall(quote)), 4) / 4
    return length + 0.5 * vivid


def type_quotes(
    interviews: Interviews,
    item_profile: pd.DataFrame,
    instrument: Instrument,
    *,
    n: int = 3,
    n_items: int = 5,
    pseudonym_seed: int = 0,
    random_state: int | np.random.Generator | None = None,
    min_effect: float = 0.2,
) -> pd.DataFrame:
    """Pick representative, anonymised interview quotes for each discovered type.

    Each type's distinctive statements (largest positive effect sizes) lead to
    their interview themes (``items[].theme``; a parent theme includes its
    sub-codes), and the themes to quotes. A theme's quotes express the theme, and
    a reverse-keyed statement says its opposite, so agreeing with one is evidence
    *against* its theme: the effect sizes of reverse-keyed statements
    (``items[].reverse``) are flipped before choosing (the returned
    ``effect_size`` is the keyed one).

    Parameters
    ----------
    interviews : Interviews
    item_profile : pandas.DataFrame
        ``type_id, item, effect_size`` (``profiles.csv`` also works: rows with
        ``kind == "item"`` are used and ``key`` is read as the item).
    instrument : Instrument
        Gives each statement's theme.
    n : int, default=3
        Quotes per type (fewer when the themes have fewer quotes).
    n_items : int, default=5
        Distinctive statements considered per type.
    pseudonym_seed : int, default=0
        Seed of :func:`pseudonymise` (pseudonyms stay the same across types and runs).
    random_state : int, Generator or None, default=None
        Breaks ties between equally good quotes.
    min_effect : float, default=0.2
        Smallest keyed effect size of a statement whose theme gives quotes (Cohen's
        small effect): a theme on which the type does not differ says nothing of it
        (user trial 11: three quotes on a statement of effect 0.056). The codes carry
        no direction, so a quote illustrates the theme, not the type's side of it; the
        report says so.

    Returns
    -------
    pandas.DataFrame
        ``type_id, item, effect_size, theme, quote, pseudonym``: pseudonyms in the
        instrument's language (``"Participant A"``, sv ``"Deltagare A"``); quotes are
        anonymised; different participants are preferred, then different themes,
        then shorter, vivid quotes (8–35 words, first person, feeling words).

    Raises
    ------
    InputError
        If ``item_profile`` lacks the ``type_id``, ``item`` or ``effect_size`` columns.
    """
    profile = item_profile
    if "kind" in profile.columns:
        profile = profile[profile["kind"] == "item"]
    if "item" not in profile.columns and "key" in profile.columns:
        profile = profile.rename(columns={"key": "item"})
    missing = [c for c in ("type_id", "item", "effect_size") if c not in profile.columns]
    if missing:
        raise InputError(
            f"item profile lacks column(s) {', '.join(missing)}; columns found: "
            f"{', '.join(map(str, item_profile.columns))}",
            hint="pass profiles.csv or a DataFrame with type_id, item, effect_size",
        )
    flip = profile["item"].astype(str).isin(instrument.reverse_ids)
    profile = profile.assign(effect_size=profile["effect_size"].where(~flip, -profile["effect_size"]))
    rng = np.random.default_rng(random_state)
    item_theme = {i: t for i, t in instrument.item_themes.items() if t}
    tree = _tree(interviews)
    codings = interviews.codings[interviews.codings["quote"].notna()].copy()
    codings["key"] = [_key(t) for t in codings["theme"]]
    codings = codings.drop_duplicates(["participant_id", "quote"])
    everyone = interviews.participant_ids + codings["participant_id"].astype(str).tolist()
    lang = instrument.language if instrument.language in ("en", "sv") else "en"
    word = said("participant", lang)
    pseudonyms = pseudonymise(everyone, seed=pseudonym_seed, word=word)  # "Deltagare A" in a Swedish study
    names = participant_names(interviews)
    out = []
    for type_id, rows in profile.groupby("type_id", sort=True):
        top = rows[rows["effect_size"] >= max(min_effect, np.finfo(float).tiny)]
        top = top.sort_values("effect_size", ascending=False, kind="stable").head(n_items)
        candidates = []
        for item, effect in zip(top["item"], top["effect_size"]):
            theme = item_theme.get(str(item))
            if not theme:
                continue
            keys = {_key(theme)} | _descendants(tree, _key(theme))
            pool = codings[codings["key"].isin(keys)]
            for row in pool.itertuples():
                candidates.append((item, float(effect), row.theme, row.quote, row.participant_id))
        if not candidates:
            continue
        jitter = rng.random(len(candidates)) * 1e-6
        scored = sorted(
            range(len(candidates)),
            key=lambda i: -(_quote_score(candidates[i][3]) + 0.2 * candidates[i][1] + jitter[i]),
        )
        chosen, people, themes_used = [], set(), set()
        for strict in (2, 1, 0):  # new participant and new theme; new participant; anything
            for i in scored:
                if len(chosen) >= n:
                    break
                item, effect, theme, quote, pid = candidates[i]
                if i in chosen or any(candidates[j][3] == quote for j in chosen):
                    continue
                if strict >= 1 and pid in people or strict == 2 and theme in themes_used:
                    continue
                chosen.append(i)
                people.add(pid)
                themes_used.add(theme)
        for i in chosen:
            item, effect, theme, quote, pid = candidates[i]
            out.append({
                "type_id": type_id, "item": item, "effect_size": effect, "theme": theme,
                "quote": anonymise(quote, names=names, ids=interviews.participant_ids, lang=lang), "pseudonym": pseudonyms[str(pid)],
            })  # fmt: skip
    columns = ["type_id", "item", "effect_size", "theme", "quote", "pseudonym"]
    return pd.DataFrame(out, columns=columns)

