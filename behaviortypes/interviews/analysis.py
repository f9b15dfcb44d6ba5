"""What the interviews say: theme matrix, prevalence, co-occurrence, splits, proto-types."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..errors import InputError
from ..files import neutralise_formula, staged_dir, write_csv
from ..i18n import guess_language, said
from .anonymise import anonymise, pseudonymise

if TYPE_CHECKING:  # pragma: no cover - annotations only: data imports this module
    from .data import Interviews

__all__ = [
    "interviews_language",
    "theme_matrix",
    "prevalence",
    "cooccurrence",
    "theme_splits",
    "proto_types",
    "ProtoTypes",
    "write_theme_files",
    "participant_names",
    "pseudonymised",
]


def theme_matrix(interviews: Interviews, *, counts: bool = False) -> pd.DataFrame:
    """Participant × theme matrix.

    Parameters
    ----------
    interviews : Interviews
    counts : bool, default=False
        ``False`` gives 1 when the participant was coded with the theme at least
        once, else 0; ``True`` gives the number of coded segments.

    Returns
    -------
    pandas.DataFrame of shape (n_participants, n_themes)
        Indexed by ``participant_id`` (every participant, also those with no
        coding), columns are the coded themes in codebook order (column index name
        ``theme``); integer values.
    """
    codings = interviews.codings
    table = pd.crosstab(codings["participant_id"].astype(str), codings["theme"])
    rows = sorted(set(interviews.participant_ids) | set(table.index))
    table = table.reindex(index=rows, columns=interviews.themes, fill_value=0).astype(int)
    if not counts:
        table = (table > 0).astype(int)
    table.index.name, table.columns.name = "participant_id", "theme"
    return table


def interviews_language(interviews: Interviews) -> str | None:
    """The language the interviews are coded in, or None when nothing says.

    The themes' names first (the analyst's words, as the survey's statements will be);
    the quotes only when the names say nothing (a Hungarian NVivo project coded in
    English is English). ``instrument from-themes`` drafts in it and ``themes`` speaks
    it when the study declares no language (:func:`~behaviortypes.i18n.guess_language`).
    """
    themes = interviews.codings["theme"].dropna().astype(str).unique()
    return guess_language(themes) or guess_language(interviews.codings["quote"].dropna().astype(str)[:200])


def _wilson(k: np.ndarray, n: int, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Wilson's score interval for ``k`` of ``n`` (NaN when there is no one)."""
    from scipy.stats import norm  # (here: the report and the command line import this module)

    if n <= 0:
        return np.full(len(k), np.nan), np.full(len(k), np.nan)
    z = norm.ppf(0.5 + confidence / 2)
    centre = (k + z**2 / 2) / (n + z**2)
    half = z * np.sqrt(k * (n - k) / n + z**2 / 4) / (n + z**2)
    return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


def prevalence(interviews: Interviews, *, confidence: float = 0.95) -> pd.DataFrame:
    """How many participants raised each theme.

    Returns
    -------
    pandas.DataFrame
        One row per coded theme, most prevalent first: ``theme, parent,
        n_participants, share, ci_low, ci_high, n_quotes``. ``share`` is
        ``n_participants / n`` over all participants; ``ci_low``/``ci_high`` is Wilson's
        score interval (as type sizes and the banner), wide at interview sample sizes by
        design: read it as direction, not size (Wilson 1927; Agresti & Coull 1998).
        ``n_quotes`` counts codings with a non-empty quote. A code of the codebook
        that no one was coded with (and that is no other code's parent) is listed
        last with 0 participants, as traceability lists it.
    """
    binary = theme_matrix(interviews)
    parents = set(interviews.codebook["parent"].dropna())
    unused = [t for t in dict.fromkeys(interviews.codebook["theme"])
              if t not in binary.columns and t not in parents and isinstance(t, str) and t]  # fmt: skip
    binary = binary.reindex(columns=list(binary.columns) + unused, fill_value=0)
    quoted = interviews.codings["quote"].map(lambda q: isinstance(q, str) and bool(q.strip()))
    counts = interviews.codings[quoted].groupby("theme").size().reindex(binary.columns, fill_value=0)
    n = len(binary)
    k = binary.sum(axis=0)
    low, high = _wilson(k.to_numpy(float), n, confidence)
    table = pd.DataFrame(
        {
            "theme": binary.columns,
            "parent": [interviews.parent_of(t) for t in binary.columns],
            "n_participants": k.to_numpy(),
            "share": (k / n).to_numpy() if n else np.nan,
            "ci_low": low,
            "ci_high": high,
            "n_quotes": counts.to_numpy(),
        }
    )
    table = table.sort_values(
        ["n_participants", "n_quotes", "theme"], ascending=[False, False, True], kind="stable"
    )
    return table.reset_index(drop=True)


def cooccurrence(interviews: Interviews) -> pd.DataFrame:
    """Theme × theme Jaccard similarity of the participants who raised them.

    Returns
    -------
    pandas.DataFrame of shape (n_themes, n_themes)
        ``|A ∩ B| / |A ∪ B|`` where A and B are the participants coded with each
        theme; 1 on the diagonal. Indexed and labelled by theme.
    """
    x = theme_matrix(interviews).to_numpy(dtype=float)
    both = x.T @ x
    n = x.sum(axis=0)
    union = n[:, None] + n[None, :] - both
    with np.errstate(invalid="ignore", divide="ignore"):
        jac = np.where(union > 0, both / union, np.nan)
    themes = interviews.themes
    index = pd.Index(themes, name="theme")
    return pd.DataFrame(jac, index=index, columns=index.copy())


def _entropy(p: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        h = -(p * np.log2(p) + (1 - p) * np.log2(1 - p))
    return np.nan_to_num(h, nan=0.0)


def theme_splits(interviews: Interviews, *, lang: str = "en") -> pd.DataFrame:
    """Rank themes by how much they split participants: the areas to turn into statements.

    Returns
    -------
    pandas.DataFrame
        ``theme, parent, n_participants, share, variance, entropy, rank, note``,
        best splitter first. ``variance`` is the Bernoulli variance ``p(1 − p)``
        (0.25 at p = 0.5) and ``entropy`` the binary entropy in bits (1 at p = 0.5).

    Notes
    -----
    A theme everybody mentions does not tell types apart: ask about *how much*,
    not whether. A theme one or two people mention may be idiosyncratic. Themes
    raised by roughly 30–70 % of participants are where people differ; these are
    the first candidates for survey statements. With interview-sized samples the
    shares are rough (see the intervals in :func:`prevalence`).
    """
    prev = prevalence(interviews)
    p = prev["share"].to_numpy(dtype=float)
    out = prev[["theme", "parent", "n_participants", "share"]].copy()
    out["variance"] = p * (1 - p)
    out["entropy"] = _entropy(p)
    out = out.sort_values(["entropy", "n_participants", "theme"], ascending=[False, False, True],
                          kind="stable").reset_index(drop=True)  # fmt: skip
    out["rank"] = np.arange(1, len(out) + 1)
    notes = []
    for share, k in zip(out["share"], out["n_participants"]):
        if k <= 1 or share < 0.15:
            notes.append(said("split_note_rare", lang))
        elif share > 0.85:
            notes.append(said("split_note_universal", lang))
        elif 0.3 <= share <= 0.7:
            notes.append(said("split_note_splits", lang))
        else:
            notes.append(said("split_note_uneven", lang))
    out["note"] = notes
    return out


@dataclass(frozen=True)
class ProtoTypes:
    """A hierarchical clustering of interview participants into proto-types.

    Attributes
    ----------
    linkage_ : numpy.ndarray of shape (n_participants - 1, 4)
        SciPy linkage matrix (for :func:`scipy.cluster.hierarchy.dendrogram`).
    participant_ids_ : list of str
        Participant ids in linkage (row) order; the dendrogram's labels.
    labels_ : pandas.Series
        Proto-type (1..k, largest first) by participant id.
    k_ : int
        Number of proto-types cut from the tree.
    evidence_ : pandas.DataFrame
        ``k, silhouette, min_size`` for every candidate k.
    distance_ : pandas.DataFrame
        Participant × participant Jaccard distance.
    profile_ : pandas.DataFrame
        Share of each proto-type's participants coded with each theme (proto-type
        × theme).
    leaves_ : list of str
        Participant ids in dendrogram leaf order.
    caveat_ : str
        What the clustering can and cannot tell at this sample size.
    """

    linkage_: np.ndarray
    participant_ids_: list[str]
    labels_: pd.Series
    k_: int
    evidence_: pd.DataFrame
    distance_: pd.DataFrame
    profile_: pd.DataFrame
    leaves_: list[str]
    caveat_: str

    def to_frame(self) -> pd.DataFrame:
        """``participant_id, proto_type`` in dendrogram leaf order."""
        labels = self.labels_.loc[self.leaves_].to_numpy()
        return pd.DataFrame({"participant_id": self.leaves_, "proto_type": labels})

    def summary(self) -> str:
        sizes = self.labels_.value_counts().sort_index()
        parts = ", ".join(f"{t}: {n}" for t, n in sizes.items())
        return f"{self.k_} proto-types (sizes {parts}). {self.caveat_}"


def proto_types(interviews: Interviews, *, max_k: int = 5, method: str = "average",
                lang: str = "en") -> ProtoTypes:
    """Cluster participants on the themes they raised (hierarchical, Jaccard distance).

    Parameters
    ----------
    interviews : Interviews
    max_k : int, default=5
        Largest number of proto-types considered; k is chosen in ``2..max_k``
        (at most n − 1) by the highest mean silhouette, the smaller k on ties.
    method : {"average", "complete", "single", "weighted"}, default="average"
        Linkage (average linkage, UPGMA, is the usual choice for Jaccard distances).
    lang : {"en", "sv"}, default="en"
        Language of :attr:`ProtoTypes.caveat_`.

    Returns
    -------
    ProtoTypes

    Raises
    ------
    InputError
        With fewer than 3 participants or no coded theme.

    Notes
    -----
    Deterministic (no random step). Interview samples are small (often 8–30), so
    the proto-types are hypotheses to test in the survey, not segments: one
    participant more or less can change the tree. The survey, not this
    clustering, decides the types.
    """
    from scipy.cluster.hierarchy import fcluster, leaves_list, linkage
    from scipy.spatial.distance import pdist, squareform
    from sklearn.metrics import silhouette_score

    matrix = theme_matrix(interviews)
    n = len(matrix)
    if n < 3 or matrix.shape[1] == 0:
        raise InputError(
            f"proto-types need at least 3 participants and 1 coded theme; found {n} "
            f"participants and {matrix.shape[1]} themes",
            file=interviews.source_file,
            hint="code more interviews, or skip the proto-types",
        )
    if method not in {"average", "complete", "single", "weighted"}:
        raise ValueError(f"method must be average, complete, single or weighted, not {method!r}")
    x = matrix.to_numpy(dtype=bool)
    dist = pdist(x, metric="jaccard")
    dist = np.nan_to_num(dist, nan=0.0)  # two participants with no theme are identical
    link = linkage(dist, method=method)
    square = squareform(dist)
    rows = []
    best_s, best_labels = -np.inf, None
    for k in range(2, max(2, min(max_k, n - 1)) + 1):
        labels = fcluster(link, t=k, criterion="maxclust")
        n_found = len(np.unique(labels))
        s = silhouette_score(square, labels, metric="precomputed") if 1 < n_found < n else np.nan
        rows.append({"k": k, "n_clusters": n_found, "silhouette": s,
                     "min_size": int(np.bincount(labels)[1:].min())})  # fmt: skip
        if np.isfinite(s) and s > best_s + 1e-12:
            best_s, best_labels = s, labels
    if best_labels is None:
        best_labels = fcluster(link, t=2, criterion="maxclust")
    # renumber by size (largest first), ties by first appearance in leaf order
    leaves = leaves_list(link)
    ids = matrix.index.astype(str).tolist()
    sizes = pd.Series(best_labels).value_counts()
    first = {lab: pos for pos, lab in reversed(list(enumerate(best_labels[leaves])))}
    order = sorted(sizes.index, key=lambda lab: (-sizes[lab], first[lab]))
    renumber = {old: new for new, old in enumerate(order, 1)}
    labels = pd.Series(
        [renumber[lab] for lab in best_labels],
        index=pd.Index(ids, name="participant_id"),
        name="proto_type",
    )
    profile = matrix.groupby(labels.to_numpy()).mean()
    profile.index.name = "proto_type"
    weak = not np.isfinite(best_s) or best_s < 0.25
    shown = f"{best_s:.2f}".replace(".", "," if lang == "sv" else ".")
    caveat = said("proto_caveat_weak" if weak else "proto_caveat", lang, n=n, s=shown, k=len(order))
    return ProtoTypes(
        linkage_=link,
        participant_ids_=ids,
        labels_=labels,
        k_=len(order),
        evidence_=pd.DataFrame(rows),
        distance_=pd.DataFrame(square, index=pd.Index(ids, name="participant_id"), columns=ids),
        profile_=profile,
        leaves_=[ids[i] for i in leaves],
        caveat_=caveat,
    )


def participant_names(interviews: Interviews) -> list[str]:
    """Names to mask in quotes: participant ids that look like names, plus name attributes."""
    names = [
        p for p in interviews.participant_ids
        if any(ch.isalpha() for ch in p) and not any(ch.isdigit() for ch in p)
    ]  # fmt: skip
    for col in interviews.participants.columns:
        if "name" in str(col).lower():
            names += [str(v) for v in interviews.participants[col].dropna()]
    return names


def pseudonymised(interviews: Interviews, *, lang: str = "en", seed: int = 0) -> Interviews:
    """A copy of ``interviews`` with pseudonyms for participants and sources, quotes masked.

    Participants become ``"Participant A"`` (sv ``"Deltagare A"``), the same letters as
    :func:`~behaviortypes.interviews.type_quotes` gives them (:func:`pseudonymise`,
    same ``seed``); a transcript's name (often the interviewee's) becomes its
    participant's pseudonym, numbered when one participant has several. Quotes are
    masked with :func:`anonymise`. No key from pseudonym to name is kept: it is
    ``pseudonymise(read_interviews(project).participant_ids)`` on the user's own project.
    """
    codings = interviews.codings.copy()
    codings["participant_id"] = codings["participant_id"].astype(str)
    key = pseudonymise(interviews.participant_ids + codings["participant_id"].tolist(), seed=seed,
                       word=said("participant", lang))  # fmt: skip
    names = participant_names(interviews)
    codings["quote"] = [anonymise(q, names=names, ids=interviews.participant_ids, lang=lang) for q in codings["quote"]]
    sources: dict[tuple[str, str], str] = {}
    for pid, group in codings.dropna(subset=["source"]).groupby("participant_id", sort=False):
        own = list(dict.fromkeys(group["source"].astype(str)))
        for i, src in enumerate(own, 1):
            sources[(pid, src)] = key[pid] if len(own) == 1 else f"{key[pid]} ({i})"
    codings["source"] = [
        sources.get((pid, str(src))) if isinstance(src, str) else src
        for pid, src in zip(codings["participant_id"], codings["source"])
    ]
    codings["participant_id"] = codings["participant_id"].map(key)
    participants = interviews.participants.copy()
    participants.index = pd.Index([key[str(p)] for p in participants.index], name="participant_id", dtype=object)
    participants = participants.drop(columns=[c for c in participants.columns if "name" in str(c).lower()])
    return replace(interviews, codings=codings, participants=participants.sort_index(),
                   transcripts={})  # fmt: skip


def _free_text_safe(frame: pd.DataFrame, columns: tuple[str, ...] = ("quote", "description")) -> pd.DataFrame:
    """Neutralise spreadsheet formulas in free-text columns only (code names stay exact)."""
    out = frame.copy()
    for col in columns:
        if col in out.columns:
            out[col] = out[col].map(neutralise_formula)
    return out


def write_theme_files(
    interviews: Interviews, out: str | Path, *, max_k: int = 5, lang: str = "en", pseudonym_seed: int = 0
) -> list[Path]:
    """Write the ``themes`` command's outputs into folder ``out`` (atomically, as a set).

    Files: ``theme_matrix.csv`` (participant × theme 0/1), ``prevalence.csv``,
    ``cooccurrence.csv`` (theme × theme Jaccard), ``splits.csv``,
    ``proto_types.csv`` (``participant_id, proto_type``; only with ≥ 3
    participants), ``codebook.csv`` and ``codings.csv``.

    Participants are pseudonyms (``"Participant A"``, sv ``"Deltagare A"``; see
    :func:`pseudonymised`), transcript names are replaced, quotes are masked: the
    files hold no interviewee's name. Theme names are written exactly as coded (a
    code ``+Government`` stays ``+Government`` and joins to ``instrument.yaml``);
    only the free-text columns ``quote`` and ``description`` get the spreadsheet
    formula guard (a leading ``'`` before ``=``, ``+``, ``-``, ``@``).

    Returns
    -------
    list of Path
        The files written.
    """
    out = Path(out)
    safe = pseudonymised(interviews, lang=lang, seed=pseudonym_seed)
    frames = {
        "theme_matrix.csv": (theme_matrix(safe), True),
        "prevalence.csv": (prevalence(safe), False),
        "cooccurrence.csv": (cooccurrence(safe), True),
        "splits.csv": (theme_splits(safe, lang=lang), False),
        "codebook.csv": (_free_text_safe(safe.codebook), False),
        "codings.csv": (_free_text_safe(safe.codings), False),
    }
    if len(safe.participants) >= 3 and safe.themes:
        frames["proto_types.csv"] = (proto_types(safe, max_k=max_k, lang=lang).to_frame(), False)
    with staged_dir(out) as stage:
        for name, (frame, index) in frames.items():
            write_csv(stage / name, frame, index=index)
    return [out / name for name in frames]
