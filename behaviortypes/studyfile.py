"""The study file of ``behaviortypes run STUDY.yaml``: :class:`StudyConfig` and how it is read.

Light on purpose (pydantic and the YAML reader, no pandas or model stack): ``run`` refuses a
study file's wrong key before it imports the pipeline (bench/README.md, "Session 24: lighter
refusals"). :mod:`behaviortypes.pipeline` re-exports every name.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, ValidationError

from .errors import InputError, Said
from .files import load_user_yaml

__all__ = ["DEFAULT_RESAMPLES", "StudyConfig"]

#: Split-half resamples of the stability evidence, for ``discover`` and ``run`` alike (the
#: command line's ``--resamples`` default too). 30 since session 4 (docs/choosing_k.md); ``run``
#: had kept the old 100 until user trial 10 found that the same study then gave other numbers
#: by the two commands (Jaccard 0.89 against 0.92, 103 s against 24 s). The decisions use the
#: small-type Jaccard, whose standard error at 30 resamples is ~0.03 against its 0.5 threshold,
#: and the demo gets the same k at 30 and 100; a study file can still ask for more.
DEFAULT_RESAMPLES = 30


_LANGS = ("en", "sv")
_FORMATS = ("pdf", "html", "pptx", "png")
_CSV_DIALECTS = ("excel", "excel-sv", "plain")
_STUDY_KEYS = ("survey", "out", "name", "customers", "scored", "seed", "factors", "k", "resamples", "map",
               "id_column", "exclude", "engine", "scheduler", "out_table", "csv_dialect", "lang", "profile",
               "report")
_REPORT_KEYS = ("langs", "formats", "dir")
_PROFILE_KEYS = ("by", "outcomes", "min_cell", "xlsx")
#: Keys people put in a study file that belong elsewhere: where they go
#: (``problem_study_elsewhere_<key>`` of the catalogue, said in the study's language).
_ELSEWHERE = ("min_group_size", "survey_dir", "langs", "formats", "customer_id_column")

#: What a study-file key must be, when pydantic rejects it: a sentence of the catalogue
#: and its values (``{key}`` is the key as the study file spells it).
_STUDY_MESSAGES = {
    "seed": ("problem_study_whole_at_least", {"least": 0}),
    "factors": ("problem_study_whole_at_least", {"least": 1}),
    "k": ("problem_study_whole_at_least", {"least": 2}),
    "resamples": ("problem_study_whole_at_least", {"least": 10}),
    "make_map": ("problem_study_true_false", {}),
    "engine": ("problem_study_one_or_more", {"choices": "local, dask"}),
    "scheduler": ("problem_study_scheduler", {}),
    "id_column": ("problem_study_id_column", {}),
    "out_table": ("problem_study_table", {}),
    "csv_dialect": ("problem_study_one_of", {"choices": ", ".join(_CSV_DIALECTS)}),
    "langs": ("problem_study_one_or_more", {"choices": ", ".join(_LANGS)}),
    "formats": ("problem_study_one_or_more", {"choices": ", ".join(_FORMATS)}),
    "by": ("problem_study_columns", {}),
    "outcomes": ("problem_study_columns", {}),
    "exclude": ("problem_study_columns", {}),
    "min_cell": ("problem_study_whole_at_least", {"least": 1}),
    "name": ("problem_study_text", {}),
}


def _hints(codes: list[str]) -> Said | None:
    """Sentences of the catalogue as one hint, joined by "; "."""
    if not codes:
        return None
    return Said(codes[0]) if len(codes) == 1 else Said("problem_study_hints", {
        "first": Said(codes[0]), "rest": _hints(codes[1:])})


_STUDY_COLUMNS = {"make_map": "map", "langs": "lang", "formats": "report.formats", "by": "profile.by",
                  "outcomes": "profile.outcomes", "min_cell": "profile.min_cell", "xlsx": "profile.xlsx",
                  "report_dir": "report.dir"}


class StudyConfig(BaseModel):
    """A study file for ``behaviortypes run STUDY.yaml``: every stage's options in one place.

    Paths in the file are relative to the folder of the study file (not to the
    folder ``run`` is started from); absolute paths are used as they are. Errors name
    the key and show full paths.

    Keys (only ``survey`` is required; the defaults are the stage commands' defaults):

    ================  ==========================================================
    ``survey``        survey folder (``instrument.yaml`` and responses)
    ``out``           discovery folder, default ``<survey>/discovery``
    ``name``          a name for the study (kept for the record)
    ``seed``          seed of every random step, default 0 (``--seed``)
    ``factors``       number of factors, default: parallel analysis (``--factors``)
    ``k``             number of types, default: chosen on evidence (``--k``)
    ``resamples``     resamples for the stability evidence, default 30 (as ``discover``)
    ``map``           compute the UMAP map of respondents, default true
    ``customers``     customer base (.parquet, .csv, .duckdb): enables the
                      lookalike model and scoring
    ``id_column``     customer id column of the base, default: the instrument's
                      ``customer_id_column`` (``--id-column``)
    ``exclude``       customer columns the lookalike never uses (``lookalike
                      --exclude``); personal data is left out in any case
    ``scored``        scored output, default ``<out>/scored_customers.parquet``
    ``engine``        ``local`` (default) or ``dask``; ``scheduler``: Dask address
    ``out_table``     table to write when ``scored`` is a ``.duckdb`` file
    ``csv_dialect``   ``excel``, ``excel-sv`` or ``plain`` when ``scored`` is a
                      ``.csv``; default ``excel-sv`` when the only report language
                      is Swedish (``lang: sv``, or without ``lang`` a study with
                      ``language: sv``), else ``excel``
    ``lang``          report language(s): ``sv`` or ``[en, sv]``, default ``en``;
                      one language is also the terminal's (else the study's)
    ``profile``       ``{by: [...], outcomes: [...], min_cell: N, xlsx: PATH}``;
                      profiling runs when this is given or the instrument names
                      ``descriptors``/``outcomes``
    ``report``        ``{langs: [en, sv], formats: [pdf, html, pptx, png], dir:
                      reports/<study>}``
    ================  ==========================================================

    ``min_group_size`` and ``customer_id_column`` belong in ``instrument.yaml``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    survey: Path
    out: Path
    name: str | None = None
    customers: Path | None = None
    scored: Path | None = None
    seed: StrictInt = Field(0, ge=0)
    factors: StrictInt | None = Field(None, ge=1)
    k: StrictInt | None = Field(None, ge=2)
    resamples: StrictInt = Field(DEFAULT_RESAMPLES, ge=10)
    make_map: StrictBool = True
    id_column: str | None = Field(None, min_length=1)
    exclude: tuple[str, ...] = ()
    engine: Literal["local", "dask"] = "local"
    scheduler: str | None = Field(None, min_length=1)
    out_table: str | None = Field(None, min_length=1)
    #: ``None``: the study's language decides (:meth:`scored_dialect`).
    csv_dialect: Literal["excel", "excel-sv", "plain"] | None = None
    langs: tuple[Literal["en", "sv"], ...] = Field(("en",), min_length=1)
    #: Whether ``langs`` was named (a study file without ``lang``: the report, the terminal
    #: and the deliverables in the study's language, :meth:`report_langs`, :attr:`said_lang`).
    lang_named: bool = True
    formats: tuple[Literal["pdf", "html", "pptx", "png"], ...] = Field(("pdf",), min_length=1)
    report_dir: Path | None = None
    profile: bool = False
    by: tuple[str, ...] | None = None
    outcomes: tuple[str, ...] | None = None
    min_cell: StrictInt | None = Field(None, ge=1)
    xlsx: Path | None = None
    study_file: Path | None = None

    @classmethod
    def load(cls, path: str | Path) -> "StudyConfig":
        """Read and check a study file.

        Raises
        ------
        InputError
            One line naming the study file (full path), the key that is wrong and
            what it must be; a survey folder or customer file that is not there, by
            its full path.
        """
        path = Path(path).absolute()
        if not path.is_file():
            raise InputError(f"study file {path} not found", hint="give the path of a .yaml study file")
        data = load_user_yaml(path)
        if not isinstance(data, dict) or "survey" not in data:
            raise InputError(code="problem_study_at", values={
                "where": str(path), "message": Said("problem_study_needs_survey")}, hint=Said("problem_study_relative"))

        def fail(code: str, at: str | None = None, value: Any = None, hint: Said | None = None,
                 **values: Any) -> InputError:  # (the sentence's {key} is the key it is at)
            where = Said("problem_study_where_key", {"path": str(path), "key": at}) if at else str(path)
            return InputError(code="problem_study_at", values={
                "where": where, "message": Said(code, {"key": at, **values})}, value=value, hint=hint)

        unknown = sorted(set(data) - set(_STUDY_KEYS))
        if unknown:
            known = [f"problem_study_elsewhere_{u}" for u in unknown if u in _ELSEWHERE]
            raise fail("problem_study_unknown_key" if len(unknown) == 1 else "problem_study_unknown_keys",
                       keys=", ".join(unknown), hint=_hints(known) or Said(
                           "problem_study_allowed_keys", {"keys": ", ".join(_STUDY_KEYS)}))
        for key, allowed in (("report", _REPORT_KEYS), ("profile", _PROFILE_KEYS)):
            section = data.get(key)
            if section is not None and (not isinstance(section, dict) or set(section) - set(allowed)):
                raise fail("problem_study_section", at=key, value=section, keys=", ".join(allowed[:-1]),
                           last=allowed[-1], hint=Said("problem_study_section_eg", {"key": key, "first": allowed[0]}))
        rep = data.get("report") or {}
        prof = data.get("profile") or {}
        if "lang" in data and "langs" in rep:
            raise fail("problem_study_langs_twice", at="lang", hint=Said("problem_study_keep_one"))
        base = path.parent

        def where(value: Any, key: str) -> Path | None:
            if value is None or value == "":
                return None
            if not isinstance(value, (str, int, float)):
                raise fail("problem_study_not_path", at=key, value=value)
            return (base / str(value)).resolve()

        def listed(value: Any) -> Any:
            return (value,) if isinstance(value, str) else value

        survey = where(data["survey"], "survey")
        customers = where(data.get("customers"), "customers")
        out = where(data.get("out"), "out") or survey / "discovery"
        langs = listed(data.get("lang", rep.get("langs", ["en"])))
        # without lang the study's language decides, known after reading it (scored_dialect)
        named = "lang" in data or "langs" in rep
        dialect = data.get("csv_dialect", ("excel-sv" if tuple(langs or ()) == ("sv",) else "excel") if named else None)
        values = {
            "survey": survey, "out": out, "name": data.get("name"), "customers": customers,
            "scored": where(data.get("scored"), "scored") or (out / "scored_customers.parquet" if customers else None),
            "seed": data.get("seed", 0), "factors": data.get("factors"), "k": data.get("k"),
            "resamples": data.get("resamples", DEFAULT_RESAMPLES), "make_map": data.get("map", True),
            "id_column": data.get("id_column"), "exclude": listed(data.get("exclude")) or (),
            "engine": data.get("engine", "local"),
            "scheduler": data.get("scheduler"), "out_table": data.get("out_table"), "csv_dialect": dialect,
            "langs": langs, "lang_named": named,
            "formats": listed(rep.get("formats", ["pdf"])), "report_dir": where(rep.get("dir"), "report.dir"),
            "profile": "profile" in data, "by": listed(prof.get("by")), "outcomes": listed(prof.get("outcomes")),
            "min_cell": prof.get("min_cell"), "xlsx": where(prof.get("xlsx"), "profile.xlsx"),
        }
        raw = {"make_map": data.get("map"), "langs": data.get("lang", rep.get("langs")),
               "formats": rep.get("formats"), "by": prof.get("by"), "outcomes": prof.get("outcomes"),
               "min_cell": prof.get("min_cell")}
        try:
            cfg = cls(**values)
        except ValidationError as err:
            e = err.errors()[0]  # one line: the first key that is wrong
            key = str(e["loc"][0])
            column = _STUDY_COLUMNS.get(key, key)
            if key == "langs" and "lang" not in data:
                column = "report.langs"
            code, values = _STUDY_MESSAGES.get(key, ("problem_study_pydantic", {"message": e["msg"]}))
            raise fail(code, at=column, value=raw.get(key, data.get(key)), **values) from None
        return cfg.model_copy(update={"study_file": path})

    def report_langs(self, study_lang: str) -> tuple[str, ...]:
        """The report's languages: the study file's ``lang`` (or ``report: {langs}``) when it
        names them, else the study's own (``study_lang``, ``instrument.yaml``'s ``language:``;
        a Swedish study's report in Swedish, as ``behaviortypes report OUT`` writes it)."""
        return tuple(self.langs) if self.lang_named else (study_lang if study_lang in _LANGS else "en",)

    def scored_dialect(self, study_lang: str) -> str:
        """How a ``.csv`` scored base is written: the study file's ``csv_dialect``, else
        ``excel-sv`` when the only report language is Swedish (``lang: sv``, or a Swedish
        study, ``language: sv``, whose study file names no language), else ``excel``."""
        if self.csv_dialect is not None:
            return self.csv_dialect
        return "excel-sv" if self.report_langs(study_lang) == ("sv",) else "excel"

    @property
    def said_lang(self) -> str | None:
        """The language of the terminal's lines (and of the typing tool and banner
        workbook): the study file's one language, else ``None`` (the study's own,
        :func:`study_language`), also when the study file names no language."""
        return self.langs[0] if self.lang_named and len(self.langs) == 1 else None

    def check_inputs(self) -> None:
        """Fail, before any work, when the survey folder or the customer base is not there.

        Raises
        ------
        InputError
            Naming the study file and the missing path in full.
        """
        def missing(key: str, code: str, path: Path) -> InputError:
            where = (Said("problem_study_where_key", {"path": str(self.study_file), "key": key}) if self.study_file
                     else Said("problem_study_key", {"key": key}))
            return InputError(code="problem_study_at", values={"where": where, "message": Said(code, {"path": path})},
                              hint=Said("problem_study_relative"))

        if not self.survey.is_dir():
            raise missing("survey", "problem_study_no_survey", self.survey)
        if self.customers is not None and not self.customers.exists():
            raise missing("customers", "problem_study_no_customers", self.customers)
        if self.xlsx is not None:  # a user's workbook or an unwritable path: refused before the work
            from .describe.workbook import refuse_foreign_banner_workbook

            refuse_foreign_banner_workbook(self.xlsx)

