"""The :class:`Interviews` object: coded interview segments, participants and codebook."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import pandas as pd

from .analysis import write_theme_files

__all__ = ["Interviews", "CODING_COLUMNS", "CODEBOOK_COLUMNS"]

#: Columns of :attr:`Interviews.codings`, in order.
CODING_COLUMNS = ["participant_id", "theme", "parent", "quote", "source", "start", "end"]
#: Columns of :attr:`Interviews.codebook`, in order.
CODEBOOK_COLUMNS = ["theme", "parent", "guid", "description"]


def _empty_transcripts() -> Mapping[str, str]:
    return MappingProxyType({})


@dataclass(frozen=True)
class Interviews:
    """Coded interviews, read from a CSV file, a REFI-QDA project or a codebook.

    Attributes
    ----------
    codings : pandas.DataFrame
        One row per coded segment: ``participant_id`` (str), ``theme`` (the code
        name), ``parent`` (its parent code or category, or ``None``), ``quote`` (the
        coded text, ``None`` when a whole document was coded), ``source`` (the
        transcript's name, ``None`` for CSV input), ``start`` and ``end`` (character
        offsets into the transcript, counted in Unicode code points, end exclusive;
        ``<NA>`` when unknown).
    participants : pandas.DataFrame
        Indexed by ``participant_id`` (str); one column per participant attribute
        (CSV attribute columns, ``participants.csv``, or REFI-QDA case variables).
        Every participant with a coding has a row.
    codebook : pandas.DataFrame
        ``theme, parent, guid, description``: every code, parents included, in
        codebook order (``guid`` is ``None`` for CSV input).
    source_file : pathlib.Path or None
        The file the interviews were read from.
    transcripts : Mapping of str to str
        Full transcript text by source name (REFI-QDA input only), so that
        :func:`~behaviortypes.interviews.write_qdpx` can write it back unchanged.
    position_unit : str or None
        How the REFI-QDA project counted selection positions: ``"code points"`` or
        ``"utf-16"`` (NVivo); ``None`` for other input. See
        :mod:`behaviortypes.interviews.refi`.
    """

    codings: pd.DataFrame
    participants: pd.DataFrame
    codebook: pd.DataFrame
    source_file: Path | None = None
    transcripts: Mapping[str, str] = field(default_factory=_empty_transcripts)
    position_unit: str | None = None

    @property
    def participant_ids(self) -> list[str]:
        """Participant ids in the order of :attr:`participants`."""
        return [str(p) for p in self.participants.index]

    @property
    def themes(self) -> list[str]:
        """Themes that were coded at least once, in codebook order."""
        coded = set(self.codings["theme"])
        ordered = [t for t in self.codebook["theme"] if t in coded]
        extra = sorted(coded - set(ordered))
        return ordered + extra

    def parent_of(self, theme: str) -> str | None:
        """The parent code of ``theme`` (``None`` for a top-level theme)."""
        rows = self.codebook.loc[self.codebook["theme"] == theme, "parent"]
        if rows.empty or pd.isna(rows.iloc[0]):
            return None
        return str(rows.iloc[0])

    def summary(self) -> str:
        """One paragraph for people: counts of participants, themes and quotes."""
        where = f" from {self.source_file.name}" if self.source_file else ""
        n_quotes = int(self.codings["quote"].notna().sum())
        return (
            f"{len(self.participants)} participants, {len(self.themes)} coded themes "
            f"({len(self.codebook)} in the codebook), {n_quotes} coded quotes{where}."
        )

    def to_dict(self) -> dict:
        """Counts and the codebook as plain Python objects."""
        return {
            "source_file": None if self.source_file is None else str(self.source_file),
            "n_participants": len(self.participants),
            "n_themes": len(self.themes),
            "n_codings": len(self.codings),
            "codebook": self.codebook.to_dict(orient="records"),
        }

    def to_files(self, out: str | Path, *, max_k: int = 5) -> list[Path]:
        """Write the ``themes`` command's files into folder ``out``.

        Writes ``theme_matrix.csv``, ``prevalence.csv``, ``cooccurrence.csv``,
        ``splits.csv``, ``proto_types.csv`` (when there are at least 3
        participants), ``codebook.csv`` and ``codings.csv`` (quotes anonymised).
        See :func:`behaviortypes.interviews.write_theme_files`.
        """
        return write_theme_files(self, out, max_k=max_k)
