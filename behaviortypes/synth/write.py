"""Write a simulated study to disk: the survey folder and, when asked, the truth.

``behaviortypes demo`` calls :func:`make_study`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..files import atomic_path, staged_dir, write_csv, write_json, write_yaml
from .config import demo_config
from .simulate import SynthStudy, simulate_study

__all__ = ["make_study"]


def make_study(
    out_dir: str | Path,
    *,
    seed: int = 0,
    n_respondents: int = 1200,
    n_customers: int = 100_000,
    truth_dir: str | Path | None = None,
    progress: bool = False,
    **overrides: Any,
) -> SynthStudy:
    """Simulate a study and write it as a survey folder (and, optionally, the truth).

    Parameters
    ----------
    out_dir : str or Path
        Survey folder to write: ``instrument.yaml``, ``responses.csv``,
        ``interviews/codes.csv``, ``interviews/participants.csv``, ``customers.parquet``.
    seed, n_respondents, n_customers : int
        As in :class:`StudyConfig`.
    truth_dir : str or Path, optional
        Where to write ``respondents.csv``, ``customers.parquet`` (customer_id, type),
        ``participants.csv`` and ``truth.json``. Keep it outside the survey folder.
    progress : bool, default=False
        Show a progress bar.
    **overrides
        Any other :class:`StudyConfig` field.

    Returns
    -------
    SynthStudy

    Raises
    ------
    InputError
        If a setting is unknown or inconsistent.

    Notes
    -----
    Each folder is written through a staging folder, so an interrupted run leaves the
    previous files intact.
    """
    config = demo_config(seed=seed, n_respondents=n_respondents, n_customers=n_customers,
                         **overrides)
    steps = ["simulate", "survey", "customers"] + (["truth"] if truth_dir is not None else [])
    bar = None
    if progress:
        from rich.progress import Progress
        bar = Progress(transient=True)
        bar.start()
        task = bar.add_task("demo study", total=len(steps))
    try:
        study = simulate_study(config)
        if bar is not None:
            bar.advance(task)
        with staged_dir(out_dir) as stage:
            write_yaml(stage / "instrument.yaml", study.instrument)
            write_csv(stage / "responses.csv", study.responses)
            write_csv(stage / "interviews" / "codes.csv", study.interviews)
            write_csv(stage / "interviews" / "participants.csv", study.participants)
            if bar is not None:
                bar.advance(task)
            with atomic_path(stage / "customers.parquet") as tmp:
                study.customers.to_parquet(tmp, index=False)
        if bar is not None:
            bar.advance(task)
        if truth_dir is not None:
            with staged_dir(truth_dir) as stage:
                write_csv(stage / "respondents.csv", study.respondent_truth)
                write_csv(stage / "participants.csv", study.participant_truth)
                with atomic_path(stage / "customers.parquet") as tmp:
                    study.customer_truth.to_parquet(tmp, index=False)
                write_json(stage / "truth.json", study.to_dict())
            if bar is not None:
                bar.advance(task)
    finally:
        if bar is not None:
            bar.stop()
    return study
