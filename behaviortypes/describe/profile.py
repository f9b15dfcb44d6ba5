"""``behaviortypes profile``: describe the types of a discovery folder by other columns.

Reads the discovery folder (``assignments.csv``, ``probabilities.csv``, ``source.json``
naming the survey), takes descriptors and outcomes from the survey's responses file (or,
with ``customers=``, from the customer base for linked respondents) and writes
``banner.csv``, ``banner_tests.csv``, ``outcomes.csv``, ``covariates.csv`` and
``profile.json`` into the folder.
"""

from __future__ import annotations

import hashlib
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .. import study
from ..errors import BehaviortypesWarning, InputError, Said, SurveyQualityWarning
from ..files import read_json, restore_formula, staged_dir, write_csv, write_json
from .banner import banner_table, banner_tests, level_key, level_sort_key
from .threestep import covariate_model, outcome_means

__all__ = ["DEFAULT_MIN_CELL", "ProfileResult", "profile_types_by", "load_profile",
           "assignments_fingerprint", "type_names_in", "declared_missing_lines",
           "protected_level_lines", "combined_level_lines"]

#: Cells with fewer respondents are suppressed unless the instrument sets ``min_group_size``.
DEFAULT_MIN_CELL = 10
#: A descriptor with more levels than this is refused (band it first); descriptors picked
#: automatically have 2 to ``AUTO_MAX_LEVELS`` levels (both defined with the instrument).
from ..instrument import AUTO_MAX_LEVELS, MAX_LEVELS  # noqa: E402  (re-exported here)
from ..readers.validate import NO_WORDS as _NO, YES_WORDS as _YES  # noqa: E402  (as `check` reads them)


@dataclass(frozen=True)
class ProfileResult:
    """The tables of ``behaviortypes profile``.

    Attributes
    ----------
    out : Path
        The discovery folder.
    banner, tests, outcomes, covariates : DataFrame
        ``banner.csv``, ``banner_tests.csv``, ``outcomes.csv``, ``covariates.csv``.
    meta : dict
        ``profile.json``: the descriptors and outcomes (column, label, levels, source),
        ``min_cell``, ``alpha``, ``weighted``, ``n_respondents``, ``type_names``,
        ``assignments_sha256`` (the typed respondents it describes, see
        :func:`assignments_fingerprint`), ``language`` (the instrument's), ``bases`` (per
        descriptor, each shown type's respondents with an answer) and, per outcome,
        ``range`` (the range its means and intervals are kept in).
    """

    out: Path
    banner: pd.DataFrame
    tests: pd.DataFrame
    outcomes: pd.DataFrame
    covariates: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)

    def summary(self, lang: str | None = None) -> str:
        """A few lines for people: what was profiled and what differs, in ``lang`` (default:
        the study's, ``meta["language"]``, else English)."""
        from ..i18n import output_language
        from ..texts import load_texts

        lang = output_language(lang, self.meta.get("language"))
        t = load_texts(lang)
        sig = self.banner[self.banner["significant"]]
        meta = self.meta
        d, o = len(meta.get("descriptors", [])), len(meta.get("outcomes", []))
        lines = [t["cli_profiled"].format(
            n=meta.get("n_respondents", "?"), d=d, o=o, min=meta.get("min_cell"),
            w_descriptors=t[f"cli_w_descriptor_{'1' if d == 1 else 'n'}"],
            w_outcomes=t[f"cli_w_outcome_{'1' if o == 1 else 'n'}"])]
        if meta.get("n_linked") is not None:
            lines.append(t["cli_profiled_linked"].format(
                columns=", ".join(meta.get("customer_columns", [])), file=meta.get("customers_file", ""),
                linked=meta["n_linked"], n=meta.get("n_respondents", "?")))
        lines += declared_missing_lines(meta, t)
        for _, row in self.tests.iterrows():
            n_sig = int(sig["variable"].eq(row["variable"]).sum())
            p = row["p_value"]
            p_text = "p < 0.001" if p < 0.001 else f"p = {p:.3g}"  # never "p = 0"
            lines.append(t["cli_profile_test"].format(variable=row["variable"], sig=n_sig,
                                                      p=p_text.replace(".", ",") if lang == "sv" else p_text))
        lines += _withheld_lines(self.covariates, meta, t)
        lines += ["  " + line for line in protected_level_lines(meta, t)]
        hidden = int(self.banner["n"].isna().sum()) if "n" in self.banner else 0
        if hidden > len(self.banner) / 2:  # most of the banner hidden: say why and what to do
            lines.append(t["cli_profile_mostly_hidden"].format(hidden=hidden, cells=len(self.banner),
                                                               min=meta.get("min_cell")))
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {"meta": self.meta, "banner": self.banner.to_dict(orient="records"),
                "tests": self.tests.to_dict(orient="records"),
                "outcomes": self.outcomes.to_dict(orient="records"),
                "covariates": self.covariates.to_dict(orient="records")}

    def to_files(self, out: str | Path | None = None) -> list[Path]:
        """Write the five files into ``out`` (default: the discovery folder), atomically."""
        out = Path(out) if out is not None else self.out
        names = ["banner.csv", "banner_tests.csv", "outcomes.csv", "covariates.csv",
                 "profile.json"]
        from ..study import CONTRACT_FILES

        # legacy: a discovery folder from before .behaviortypes_output is ours (not the user's)
        with staged_dir(out, legacy=CONTRACT_FILES) as stage:
            write_csv(stage / names[0], self.banner, spreadsheet=True)
            write_csv(stage / names[1], self.tests, spreadsheet=True)
            write_csv(stage / names[2], self.outcomes, spreadsheet=True)
            write_csv(stage / names[3], self.covariates, spreadsheet=True)
            write_json(stage / names[4], self.meta)
        return [out / n for n in names]


def assignments_fingerprint(types: pd.Series) -> str:
    """SHA-256 of the ``respondent_id, type_id`` pairs of a discovery (order and names aside).

    ``profile.json`` records it so that a profile is never shown beside types it does
    not describe (e.g. after ``discover`` was re-run with another ``--k``).
    """
    pairs = sorted(f"{rid}\t{int(tid)}" for rid, tid in types.items())
    return hashlib.sha256("\n".join(pairs).encode()).hexdigest()


def type_names_in(out: str | Path, lang: str) -> dict[int, str]:
    """The names of a discovery folder's types in ``lang``, as the report and the typing
    tool of the same folder show them.

    Names the analyst wrote in ``types.yaml`` stay as written; the names the tool
    suggested follow ``lang`` (:func:`behaviortypes.profiles.names_in_language` on the
    folder's ``profiles.csv`` and ``factors.json``, as ``report --lang`` and
    ``typing-tool --lang`` do). Empty when the folder has no ``types.yaml``.
    """
    from ..profiles import (answer_styles, factor_means_from_profiles, names_in_language, read_types_yaml,
                            reverse_keys, study_lexicon)

    out = Path(out)
    if not (out / "types.yaml").is_file():
        return {}
    types = read_types_yaml(out / "types.yaml")
    names = {int(k): str(v) for k, v in types["name"].items()}
    if not all((out / f).is_file() for f in ("profiles.csv", "solution.json", "source.json")):
        return names  # not a whole discovery folder: the names as written
    disc = study.load(out, require=("profiles.csv", "types.yaml"))
    frame = types.reindex(columns=["name", "tagline", "suggested_name", "suggested_tagline"]).astype(object)
    frame = frame.where(frame.notna(), None)
    frame.index = frame.index.astype(int)
    factor_names = dict(disc.factors.factor_names) if disc.factors is not None else {}
    instrument = disc.instrument
    shown = names_in_language(frame, factor_means_from_profiles(disc.table("profiles.csv", required=True)),
                              factor_names, lang, source_lang=instrument.get("language"),
                              lexicon=study_lexicon(instrument), styles=answer_styles(
                                  disc.table("profiles.csv", required=True), reverse_keys(instrument)))
    return {**names, **{int(k): str(v) for k, v in shown["name"].items() if isinstance(v, str)}}


def _matches_discovery(out: Path, meta: dict[str, Any]) -> bool:
    """Whether ``profile.json`` describes the folder's current ``assignments.csv``."""
    path = out / "assignments.csv"
    if not path.is_file():
        return False
    try:  # (a broken assignments.csv is said by the folder's own check, not here)
        assign = pd.read_csv(path, dtype={"respondent_id": str}, usecols=["respondent_id", "type_id"])
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError):
        return False
    types = assign.set_index("respondent_id")["type_id"]
    if meta.get("assignments_sha256"):
        return meta["assignments_sha256"] == assignments_fingerprint(types)
    # profile.json from before the fingerprint: the count and the type ids must agree
    named = {str(t) for t in (meta.get("type_names") or {})}
    current = {str(int(t)) for t in types.unique()}
    return meta.get("n_respondents") == len(types) and (not named or named == current)


def load_profile(out: str | Path) -> ProfileResult | None:
    """Read the files ``profile`` wrote into a discovery folder.

    Returns ``None`` when they are absent, and (with a ``BehaviortypesWarning``) when they
    describe other assignments than the folder's ``assignments.csv`` (``discover`` ran
    again after ``profile``): stale figures are never shown.
    """
    out = Path(out)
    if not (out / "banner.csv").is_file() or not (out / "profile.json").is_file():
        return None
    meta = read_json(out / "profile.json")
    if not _matches_discovery(out, meta):
        warnings.warn(BehaviortypesWarning(
            f"{out / 'profile.json'} describes an earlier discovery (other types or "
            "respondents); it is left out. Re-run `behaviortypes profile OUT` to profile "
            "the current types", code="warn_profile_stale", values={"path": str(out / "profile.json")}),
            stacklevel=2)
        return None

    def csv(name: str) -> pd.DataFrame:
        path = out / name
        if not path.is_file():
            return pd.DataFrame()
        frame = pd.read_csv(path, keep_default_na=False, na_values=[""])
        # the files are written for spreadsheets (formulas neutralised): read the text back as written
        text = frame.select_dtypes(include="object").columns
        frame[text] = frame[text].map(restore_formula)
        return frame

    banner = csv("banner.csv")
    if "level" in banner:
        banner["level"] = banner["level"].astype(str)
    return ProfileResult(out, banner, csv("banner_tests.csv"), csv("outcomes.csv"),
                         csv("covariates.csv"), meta)


def _discovery(out: Path) -> tuple[dict, pd.Series, pd.DataFrame]:
    need = ["assignments.csv", "probabilities.csv", "source.json"]
    missing = [f for f in need if not (out / f).is_file()]
    if not out.is_dir() or missing:
        raise InputError(code="problem_not_discovery", file=out,
                         values={"missing": ", ".join(missing) or Said("problem_the_folder_itself")})
    source = read_json(out / "source.json")
    assign = pd.read_csv(out / "assignments.csv", dtype={"respondent_id": str})
    types = assign.set_index("respondent_id")["type_id"].astype(int)
    proba = pd.read_csv(out / "probabilities.csv", dtype={"respondent_id": str}).set_index("respondent_id")
    proba = proba.reindex(types.index)
    if proba.isna().any().any():
        raise InputError(code="problem_proba_incomplete", file=out / "probabilities.csv")
    return source, types, proba


def _spec(column: str, listed: list, inst: Any = None) -> dict[str, Any]:
    """A column to profile: its entry in ``listed`` (label, levels); a column without a
    label of its own there takes the one instrument.yaml gives it elsewhere (another list,
    ``column_labels:``; :meth:`Instrument.label_of`), else its name."""
    other = inst.label_of(column) if inst is not None else None
    for entry in listed:
        if entry.column == column:
            return {"column": column, "label": entry.label or other or column, "levels": entry.levels}
    return {"column": column, "label": other or column, "levels": None}


def _split(names: list[str] | str | None) -> list[str] | None:
    if names is None:
        return None
    if isinstance(names, str):
        names = [names]
    cols = [c.strip() for part in names for c in str(part).split(",") if c.strip()]
    return cols or None


def _linked_columns(resp: pd.DataFrame, inst: Any, customers: str | Path, id_column: str | None,
                    columns: list[str], rfile: str) -> pd.DataFrame:
    """``columns`` of the customer base for the respondents linked by ``customer_id_column``.

    Indexed like ``resp``; an InputError when nothing links or a column or id is wrong.
    """
    from ..readers import read_customers

    from_customers = columns
    cust_id = id_column or inst.customer_id_column
    if not inst.customer_id_column:
        raise InputError(code="problem_no_customer_id_column", file="instrument.yaml")
    if cust_id is None:
        raise InputError(code="problem_no_id_column_given")
    try:
        base = read_customers(customers, columns=[cust_id, *from_customers], id_column=cust_id)
    except InputError as err:
        if err.column is None or err.column == cust_id:
            raise
        raise InputError(code="problem_not_in_base", values={"file": rfile},
                         file=Path(customers).name, column=err.column) from None
    base[cust_id] = base[cust_id].astype("string")
    dup = base[cust_id].dropna().duplicated()
    if dup.any():
        raise InputError(code="problem_profile_id_repeated", file=customers, column=cust_id,
                         value=str(base[cust_id].dropna()[dup].iloc[0]))
    link = resp[inst.customer_id_column].astype("string")
    linked = base.set_index(cust_id).reindex(link.to_numpy())
    linked.index = resp.index
    n_linked = int(link.isin(base[cust_id]).sum())
    if n_linked == 0:  # the ids of both sides, and a leading-zeros mismatch said (user trial 22)
        from ..customer_links import IdsSeen, link_ids_hint

        seen = IdsSeen(link.dropna().str.strip().to_numpy())
        seen.see(base[cust_id].str.strip())
        raise InputError(code="problem_profile_none_linked", file=customers, column=cust_id,
                         hint=link_ids_hint(seen, link=inst.customer_id_column, column=cust_id, file=rfile))
    linked.attrs["linked"] = pd.Series(link.isin(base[cust_id]).fillna(False).to_numpy(bool), index=resp.index)
    return linked


def _linked_meta(linked: pd.DataFrame, types: pd.Series, columns: list[str], customers: str | Path) -> dict:
    """``n_linked`` (typed respondents linked to the base: the only ones the customer columns
    describe), ``customer_columns`` and ``customers_file``, for the summary and ``profile.json``."""
    n_linked = int(linked.attrs["linked"].reindex(types.index).fillna(False).astype(bool).sum())
    return {"n_linked": n_linked, "customer_columns": list(columns), "customers_file": Path(customers).name}


def _refuse_personal(columns: pd.DataFrame, source_of: dict[str, str]) -> None:
    """One line, no value, when a column to profile by is personal data (a name, e-mail,
    phone, identity number, address: :func:`behaviortypes.lookalike.personal_data_columns`);
    it is never tabulated nor averaged by type (user trial 11)."""
    from ..lookalike import personal_data_columns

    found = personal_data_columns(columns) if len(columns.columns) else []
    if found:
        col = found[0]["name"]
        raise InputError(code="problem_profile_personal_column", file=source_of[col], column=col)


def _descriptor_levels(desc: list[dict], data: pd.DataFrame, survey: Any, from_customers: list[str],
                       source_of: dict[str, str]) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """Descriptors as labelled levels (value labels applied) and each one's level order.

    Completes every spec in ``desc`` with its ``levels`` and ``source``.
    """
    disc = pd.DataFrame(index=data.index)
    levels: dict[str, list[str]] = {}
    for d in desc:
        col = d["column"]
        keys = data[col].map(level_key)
        mapping = d["levels"] if isinstance(d["levels"], dict) else None
        if mapping is None and col in survey.value_labels and col not in from_customers:
            mapping = {level_key(k): str(v) for k, v in survey.value_labels[col].items()}
        order = list(d["levels"]) if isinstance(d["levels"], list) else None
        if mapping:
            labelled = keys.map(lambda k: None if k is None else mapping.get(k, k))
            order = [mapping[k] for k in mapping]
        else:
            labelled = keys
        _check_column(labelled, col, source_of[col], kind="descriptor")
        if labelled.dropna().nunique() > MAX_LEVELS:
            raise InputError(code="problem_too_many_levels", values={"n": labelled.dropna().nunique(),
                                                                     "max": MAX_LEVELS},
                             file=source_of[col], column=col)
        disc[col] = labelled
        if order:
            levels[col] = order
        d["levels"] = order or sorted(labelled.dropna().unique().tolist(), key=lambda v: level_sort_key(str(v)))
        d["source"] = source_of[col]
    return disc, levels


def _outcome_values(outs: list[dict], data: pd.DataFrame, survey: Any, from_customers: list[str],
                    source_of: dict[str, str]) -> pd.DataFrame:
    """Outcomes as numbers (yes/no texts as 1/0); completes each spec's ``source`` and ``binary``."""
    outcome_frame = pd.DataFrame(index=data.index)
    for o in outs:
        col = o["column"]
        rows = None
        if col not in from_customers:  # each respondent's row in the responses file (header = row 1)
            index = survey.responses.index
            numbers = survey.responses.attrs.get("file_rows")
            if not numbers or len(numbers) != len(index):
                numbers = range(2, len(index) + 2)
            rows = pd.Series(list(numbers), index=index)
        outcome_frame[col] = _numeric_outcome(data[col], col, source_of[col], rows)
        if found := _warn_implausible(outcome_frame[col], col, source_of[col], rows):
            o["implausible"] = found  # the workbook's and the pages' note: the means include them (trial 23)
        o["source"] = source_of[col]
        o["binary"] = bool(set(outcome_frame[col].dropna().unique()) <= {0.0, 1.0})
    return outcome_frame


def _chosen_specs(by: list[str] | str | None, outcomes: list[str] | str | None, inst: Any
                  ) -> tuple[list[dict] | None, list[dict]]:
    """The descriptor specs (None: chosen automatically later) and the outcome specs."""
    by_cols, out_cols = _split(by), _split(outcomes)
    if by_cols is not None:
        desc = [_spec(c, inst.descriptors, inst) for c in by_cols]
    elif inst.descriptors:
        desc = [_spec(e.column, inst.descriptors, inst) for e in inst.descriptors]
    else:
        desc = None  # automatic, below
    if out_cols is not None:
        outs = [_spec(c, inst.outcomes, inst) for c in out_cols]
    else:
        outs = [_spec(e.column, inst.outcomes, inst) for e in inst.outcomes]
    return desc, outs


def _warn_labelled_outcomes(outs: list[dict], inst: Any) -> None:
    """Warn when an outcome is a descriptor with three or more labelled levels (a vote,
    a region): its mean treats the codes as numbers, which means nothing without an order."""
    levels = {e.column: e.levels for e in inst.descriptors if e.levels}
    for o in outs:
        named = levels.get(o["column"])
        if named is not None and len(named) >= 3:
            labels = list(named.values()) if isinstance(named, dict) else list(named)
            shown = ", ".join(map(str, labels[:4])) + (", …" if len(labels) > 4 else "")
            warnings.warn(BehaviortypesWarning(
                f"outcome '{o['column']}' is a descriptor with labelled levels ({shown}); its mean by type treats "
                f"the codes as numbers, which only means something if the levels are ordered — else profile it with "
                f"--by {o['column']}", code="warn_profile_labelled_outcome",
                values={"column": o["column"], "levels": shown}), stacklevel=3)


def _check_min_cell(min_cell: int | None, inst: Any) -> None:
    """Refuse a smallest cell below 1, or below the study's own ``min_group_size``.

    ``min_group_size`` in ``instrument.yaml`` is the survey's privacy setting; a
    ``--min-cell`` may raise it for the tables but never lower it silently (user trial 12,
    F2b: ``--min-cell 3`` showed cells of 11 respondents while the report still said that
    no group smaller than 30 was described). A study that does not set it has no floor.
    """
    if min_cell is None:
        return
    if int(min_cell) < 1:
        raise InputError(code="problem_min_cell", value=min_cell)
    floor = int(inst.min_group_size)
    if "min_group_size" in inst.model_fields_set and int(min_cell) < floor:
        raise InputError(code="problem_min_cell_below_floor", values={"cell": int(min_cell), "floor": floor})


def profile_types_by(
    out: str | Path,
    *,
    by: list[str] | str | None = None,
    outcomes: list[str] | str | None = None,
    customers: str | Path | None = None,
    id_column: str | None = None,
    min_cell: int | None = None,
    alpha: float = 0.05,
) -> ProfileResult:
    """Banner tables, outcome means and the covariate model of a discovery folder's types.

    Parameters
    ----------
    out : path
        Discovery folder (from ``discover``); its ``source.json`` names the survey.
    by : list of str or comma-separated str, optional
        Descriptor columns (default: the instrument's ``descriptors:``, else every other
        column of the responses file with 2-12 distinct values).
    outcomes : list of str or comma-separated str, optional
        Numeric or yes/no outcome columns (default: the instrument's ``outcomes:``).
    customers : path, optional
        Customer base; columns not in the responses file are taken from it for the
        respondents linked by the instrument's ``customer_id_column``.
    id_column : str, optional
        Customer id column of the base (default: the instrument's ``customer_id_column``).
    min_cell : int, optional
        Smallest cell shown (default: the instrument's ``min_group_size`` when the
        instrument sets it, else 10).
    alpha : float, default=0.05
        False discovery rate of the banner tests.

    Returns
    -------
    ProfileResult
        Not yet written; call ``to_files()``.

    Raises
    ------
    InputError
        Unknown, constant, all-missing or non-numeric (outcome) columns, a column that is
        a survey statement, no link to the customer base, or nothing to profile; a
        discovery that found no distinct types (one homogeneous group, k = 1).
    """
    from ..readers import load_survey

    out = Path(out)
    study.refuse_one_group(out, "profiles by type (banner, outcomes, covariates)")
    source, types, proba = _discovery(out)
    survey_dir = Path(source.get("survey_dir", ""))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SurveyQualityWarning)  # shown by discover already
        survey = load_survey(survey_dir)
    inst = survey.instrument
    _check_min_cell(min_cell, inst)
    if source.get("checksum") and source["checksum"] != survey.checksum:
        warnings.warn(BehaviortypesWarning(
            f"{survey.responses_file.name} changed since `discover`; the types are those of the earlier file",
            code="warn_profile_responses_changed", values={"file": survey.responses_file.name}), stacklevel=2)
    resp = survey.responses
    missing_ids = types.index.difference(resp.index)
    if len(missing_ids):
        raise InputError(code="problem_typed_not_in_responses", values={"n": len(missing_ids)},
                         file=survey.responses_file, value=str(missing_ids[0]))
    resp = resp.loc[types.index]
    rfile = survey.responses_file.name
    reserved = {inst.id_column: "respondent_id", inst.customer_id_column: "customer_id",
                inst.weight_column: "weight", inst.duration_column: "duration",
                **dict.fromkeys(inst.item_ids, "statement"),
                **dict.fromkeys((c.id for c in inst.attention_checks), "attention_check")}
    reserved.pop(None, None)

    desc, outs = _chosen_specs(by, outcomes, inst)
    _warn_labelled_outcomes(outs, inst)

    # ---- where each column comes from
    wanted = [d["column"] for d in (desc or [])] + [o["column"] for o in outs]
    for col in wanted:
        if col in reserved:
            raise InputError(code="problem_reserved_column", file=rfile, column=col,
                             values={"what": Said(f"problem_reserved_{reserved[col]}")})
    data = pd.DataFrame(index=types.index)
    from_customers = [c for c in wanted if c not in resp.columns]
    if from_customers and customers is None:
        others = [c for c in resp.columns if c not in reserved]
        raise InputError(code="problem_not_in_responses", file=rfile, column=from_customers[0],
                         values={"columns": ", ".join(others[:12]) or Said("problem_none_brackets")})
    source_of = {c: rfile for c in wanted}
    linked_meta = {}  # the customer columns describe the linked respondents only (trial 10)
    if from_customers:
        linked = _linked_columns(resp, inst, customers, id_column, from_customers, rfile)
        linked_meta = _linked_meta(linked, types, from_customers, customers)
        for c in from_customers:
            data[c] = linked[c]
            source_of[c] = Path(customers).name
    for c in wanted:
        if c not in from_customers:
            data[c] = resp[c]
    _refuse_personal(data[list(dict.fromkeys(wanted))], source_of)

    if desc is None:
        desc = []
        for c in resp.columns:
            if c in reserved or c in wanted:
                continue
            nun = resp[c].map(level_key).dropna().nunique()
            if 2 <= nun <= AUTO_MAX_LEVELS:
                desc.append(_spec(c, [], inst))
                data[c] = resp[c]
                source_of[c] = rfile
    if not desc and not outs:
        raise InputError(code="problem_nothing_to_profile", file=rfile)

    _blank_declared_missing(data, [*desc, *outs], inst)

    # ---- descriptors: labels and level order
    disc, levels = _descriptor_levels(desc, data, survey, from_customers, source_of)

    # ---- outcomes: numbers (yes/no texts as 1/0)
    outcome_frame = _outcome_values(outs, data, survey, from_customers, source_of)

    weights = resp[inst.weight_column].astype(float) if inst.weight_column else None
    explicit = "min_group_size" in inst.model_fields_set
    cell = int(min_cell if min_cell is not None else (inst.min_group_size if explicit else DEFAULT_MIN_CELL))

    banner = banner_table(types, disc, weights=weights, levels=levels, min_cell=cell,
                          min_type_size=inst.min_group_size, alpha=alpha)
    tests = banner_tests(types, disc, weights=weights, alpha=alpha)
    outcome_tab = _outcomes_by_type(proba, outcome_frame, outs, inst, weights, cell)
    covs = covariate_model(proba, disc, weights=weights, levels=levels, min_cell=cell,
                           min_type_size=inst.min_group_size) if len(desc) else \
        covariate_model(proba, disc.iloc[:, :0], weights=weights)
    names = _type_names(out)
    meta = {
        "descriptors": desc, "outcomes": outs, "min_cell": cell, "min_type_size": inst.min_group_size,
        "alpha": alpha, "weighted": weights is not None, "n_respondents": int(len(types)),
        "type_names": {str(k): v for k, v in names.items()}, "language": inst.language,  # (the workbook's)
        "assignments_sha256": assignments_fingerprint(types),
        "bases": _type_bases(types, disc, inst.min_group_size),
        "column_labels": dict(inst.column_labels),  # the report names CRM columns so too
        **{key: dict(banner.attrs.get(key) or {}) for key in ("protected_levels", "combined_levels")},  # trials 22, 24
        **linked_meta,
    }
    return ProfileResult(out, banner, tests, outcome_tab, covs, meta)


def _withheld_lines(covs: pd.DataFrame, meta: dict, t: dict) -> list[str]:
    """A line saying how many odds ratios of ``covariates.csv`` are withheld, and why."""
    if "note" not in covs or not len(covs):
        return []
    notes = covs["note"].fillna("")
    small, sep = int(notes.eq("small_cell").sum()), int(notes.eq("separation").sum())
    if not small and not sep:
        return []
    return [t["cli_profile_covariates_withheld"].format(
        withheld=small + sep, total=len(covs), small=small, sep=sep, min=meta.get("min_cell"))]


def _type_names(out: Path) -> dict[int, str]:
    """The types' names in ``types.yaml`` of a discovery folder (none without the file)."""
    from ..profiles import read_types_yaml

    if not (out / "types.yaml").is_file():
        return {}
    return {int(k): str(v) for k, v in read_types_yaml(out / "types.yaml")["name"].items()}


def _blank_declared_missing(data: pd.DataFrame, specs: list[dict], inst: Any) -> None:
    """Blank the cells holding a column's declared ``missing_codes`` (``outcomes:`` or
    ``descriptors:`` of instrument.yaml) in ``data``, and record in each spec of the
    column ``declared_missing``: the cells blanked per code as written, most first."""
    counted: dict[str, dict[str, int]] = {}
    for col in dict.fromkeys(s["column"] for s in specs):
        if not inst.missing_codes_of(col):
            continue
        mask = inst.declared_missing(col, data[col])
        written = data.loc[mask, col].map(level_key).value_counts(sort=False)
        counted[col] = {str(k): int(n) for k, n in written.sort_values(ascending=False, kind="stable").items()}
        data[col] = data[col].where(~mask)
    for spec in specs:
        if spec["column"] in counted:
            spec["declared_missing"] = counted[spec["column"]]


def protected_level_lines(meta: dict[str, Any], t: dict[str, str],
                          labels: dict[str, str] | None = None, *, only: str | None = None) -> list[str]:
    """Per descriptor whose one small level hid a large one in every column of the banner
    (``profile.json`` ``protected_levels``, :func:`~behaviortypes.describe.banner.protected_level`):
    a sentence naming both and saying to merge the small level or declare it missing
    (``banner_protected_level``; for a column of the customer base ``banner_protected_level_base``,
    which names the base's file and the column to list under ``descriptors:``), in the language
    of ``t``; ``labels``: the descriptors' labels (default: the column names); ``only``: that
    descriptor's sentence alone (a banner sheet's)."""
    base = set(meta.get("customer_columns") or [])
    lines = []
    for col, pair in (meta.get("protected_levels") or {}).items():
        if (only is not None and col != only) or not (isinstance(pair, dict) and pair.get("small") and pair.get("hidden")):
            continue
        key = "banner_protected_level_base" if col in base else "banner_protected_level"
        lines.append(t[key].format(column=(labels or {}).get(col, col), small=pair["small"], hidden=pair["hidden"],
                                   min=meta.get("min_cell"), name=col, file=meta.get("customers_file")))
    return lines + combined_level_lines(meta, t, labels, only=only)


def combined_level_lines(meta: dict[str, Any], t: dict[str, str],
                         labels: dict[str, str] | None = None, *, only: str | None = None) -> list[str]:
    """Per descriptor whose small levels were folded into one row of the banner
    (``profile.json`` ``combined_levels``, :func:`~behaviortypes.describe.banner.combine_small_levels`):
    a sentence naming the row, its members and why (``banner_combined_level``, or
    ``banner_combined_level_with`` when a level of ``min_cell`` or more joined them)."""
    lines = []
    cell = int(meta.get("min_cell") or 0)
    for col, entry in (meta.get("combined_levels") or {}).items():
        members = entry.get("members") if isinstance(entry, dict) else None
        if (only is not None and col != only) or not members:
            continue
        small = list(entry.get("small") or members)
        large = [m for m in members if m not in small]
        key = "banner_combined_level_with" if large else "banner_combined_level"
        lines.append(t[key].format(column=(labels or {}).get(col, col), level=entry["level"], min=cell,
                                   small=", ".join(f"'{m}'" for m in small), large=", ".join(large), name=col))
    return lines


def implausible_notes(meta: dict[str, Any], t: dict[str, str], labels: dict[str, str] | None = None) -> list[str]:
    """"The means of age include 3 values that look like missing codes … (1998, 1992, 1974) …",
    per outcome of ``profile.json`` in which ``profile`` found such values and warned: the
    outcomes sheet and the type pages show means that include them until they are declared
    (user trial 23: a type's mean age 15.1–35.0 with no word of the warning). When the codes
    listed are the most extreme of more distinct values (``listed`` and ``distinct`` in
    ``profile.json``), the note says so (``outcome_implausible_note_more``)."""
    lines = []
    for spec in meta.get("outcomes", []):
        found = spec.get("implausible") if isinstance(spec, dict) else None
        if isinstance(found, dict) and found.get("n"):
            more = found.get("listed") and found.get("distinct") and int(found["distinct"]) > int(found["listed"])
            key = "outcome_implausible_note_more" if more else "outcome_implausible_note"
            lines.append(t[key].format(
                column=(labels or {}).get(spec["column"], spec["column"]), n=int(found["n"]),
                codes=found.get("codes", ""), name=spec["column"], listed=found.get("listed"),
                distinct=found.get("distinct")))
    return lines


def declared_missing_lines(meta: dict[str, Any], t: dict[str, str]) -> list[str]:
    """"age: 3 values declared missing (999999999 ×2, 412434)", per profiled column that
    had cells blanked as declared missing (``profile.json``), in the language of ``t``."""
    lines, seen = [], set()
    for spec in [*meta.get("descriptors", []), *meta.get("outcomes", [])]:
        if not isinstance(spec, dict):  # a hand-made meta naming the columns only
            continue
        counts = spec.get("declared_missing") or {}
        if spec["column"] in seen or not sum(counts.values()):
            continue
        seen.add(spec["column"])
        n = sum(counts.values())
        shown = ", ".join(code if k == 1 else f"{code} ×{k}" for code, k in counts.items() if k)
        lines.append(t[f"cli_profile_declared_missing_{'1' if n == 1 else 'n'}"].format(
            column=spec["column"], n=n, values=shown))
    return lines


def _outcomes_by_type(proba: pd.DataFrame, frame: pd.DataFrame, outs: list[dict], inst: Any,
                      weights: pd.Series | None, cell: int) -> pd.DataFrame:
    """``outcomes.csv``: the means by type inside each outcome's range, with a warning when a
    bias-adjusted mean fell outside it."""
    table = outcome_means(proba, frame, weights=weights, min_cell=cell, min_type_size=inst.min_group_size,
                          bounds=_outcome_bounds(outs, frame, inst))
    _warn_out_of_range(table, outs)
    return table


def _warn_implausible(values: pd.Series, col: str, file: str, rows: pd.Series | None) -> dict[str, Any] | None:
    """Warn when an outcome holds values that look like missing codes or lie far out
    (:func:`behaviortypes.describe.plausible.implausible_values`), naming rows and values;
    ``{"n": …, "codes": "1998, 1992"}`` for ``profile.json``'s outcome (the means include
    them until they are declared; with ``listed`` and ``distinct`` when the codes are the
    most extreme of more distinct values), else None."""
    from .plausible import (implausible_codes, implausible_codes_more, implausible_examples, implausible_hint,
                            implausible_values)

    found = implausible_values(values)
    if found.empty:
        return None
    shown, where = implausible_examples(found, rows)
    where += ", …" if len(found) > 3 else ""
    codes, more = implausible_codes(found), implausible_codes_more(found)  # "the 10 most extreme of 37"
    kept = int(values.notna().sum())  # the kept respondents, where check counts the whole file
    hint = implausible_hint(file, col, "outcomes", codes, more)
    warnings.warn(BehaviortypesWarning(
        f"{file}, column '{col}': {len(found)} of {kept} values (respondents kept after screening) "
        f"look like missing codes or lie far outside the rest: "
        f"{shown}" + (f" (rows {where})" if where else "") + f". Hint: {hint}",
        code="warn_implausible_values_kept", values={"file": file, "column": col, "n": len(found), "total": kept,
                                                     "values": shown, "rows": where or "–", "key": "outcomes",
                                                     "codes": codes}), stacklevel=4)
    return {"n": int(len(found)), "codes": codes, **({"listed": more[0], "distinct": more[1]} if more else {})}


def _warn_out_of_range(table: pd.DataFrame, outs: list[dict]) -> None:
    """Warn when a bias-adjusted mean fell outside its outcome's range (shown at the end it
    passed, or left empty: :func:`behaviortypes.describe.threestep.outcome_means`)."""
    for o in outs:
        low, high = o.get("range", (None, None))
        bch = table[(table["variable"] == o["column"]) & (table["method"] == "bch")]
        off = bch["n"].notna() & (bch["mean"].isna() | (bch["se"].gt(0) & bch["mean"].isin([low, high])))
        if off.any():
            types = ", ".join(str(int(t)) for t in bch.loc[off, "type_id"])
            warnings.warn(BehaviortypesWarning(
                f"outcome '{o['column']}': the bias-adjusted mean of type(s) {types} fell outside the "
                f"outcome's values ({low} – {high}); it is shown at the end it passed, or left empty when "
                "far outside. The types overlap too much for the correction, or a few extreme values "
                "dominate: check the column", code="warn_outcome_out_of_range",
                values={"column": o["column"], "types": types, "low": low, "high": high}), stacklevel=4)


def _type_bases(types: pd.Series, disc: pd.DataFrame, min_type_size: int) -> dict[str, dict[str, int]]:
    """Per descriptor, each type's respondents with an answer (the banner's base row).

    Not disclosive: the report prints the types' sizes, and the banner's secondary
    suppression leaves no type column with a single hidden cell. Types smaller than
    ``min_type_size`` (hidden whole, as in the report) are left out.
    """
    sizes = types.value_counts()
    shown = sizes.index[sizes >= max(min_type_size, 1)]
    return {col: {str(int(t)): int(n) for t, n in disc[col].notna().groupby(types).sum().items()
                  if t in shown}
            for col in disc.columns}


def _outcome_bounds(outs: list[dict], frame: pd.DataFrame, inst: Any) -> dict[str, tuple[float, float]]:
    """The range each outcome's mean lies in, recorded in its spec as ``range``: [0, 1] for a
    0/1 outcome, the answer scale for one answered on it (every value between the scale's
    ends), else the values observed."""
    bounds = {}
    for o in outs:
        values = frame[o["column"]].dropna()
        lo, hi = float(values.min()), float(values.max())
        if o.get("binary"):
            lo, hi = 0.0, 1.0
        elif inst.scale.min <= lo and hi <= inst.scale.max:
            lo, hi = float(inst.scale.min), float(inst.scale.max)
        bounds[o["column"]] = (lo, hi)
        o["range"] = [int(v) if v.is_integer() else v for v in (lo, hi)]
    return bounds


def _check_column(values: pd.Series, col: str, file: str, *, kind: str) -> None:
    present = values.dropna()
    if present.empty:
        raise InputError(code="problem_typed_empty", values={"kind": Said(f"problem_kind_{kind}")},
                         file=file, column=col)
    if present.nunique() < 2:
        raise InputError(code="problem_typed_constant", file=file, column=col, value=present.iloc[0])


def _numeric_outcome(values: pd.Series, col: str, file: str, rows: pd.Series | None) -> pd.Series:
    """An outcome column as numbers; ``rows``: each respondent's row in the file (by id)."""
    if values.dtype == bool or str(values.dtype) == "boolean":
        out = values.astype("Float64").astype(float)
    else:
        num = pd.to_numeric(values, errors="coerce")
        bad = num.isna() & values.notna() & values.map(lambda v: level_key(v) is not None)
        if bad.any():
            text = values[bad].map(lambda v: str(v).strip().lower())
            yes, no = text.isin(_YES), text.isin(_NO)
            num = num.astype(float)
            num[yes[yes].index] = 1.0
            num[no[no].index] = 0.0
            still = bad & ~(yes | no).reindex(values.index, fill_value=False)
            if still.any():
                first = values.index[still.to_numpy()][0]
                on_row = None if rows is None or first not in rows.index else int(rows[first])
                raise InputError(code="problem_typed_outcome_text", file=file, column=col,
                                 rows=None if on_row is None else [on_row],
                                 respondent=None if on_row is None else str(first),
                                 value=values[first])
        out = num.astype(float)
    _check_column(out, col, file, kind="outcome")
    return out
