"""The ``behaviortypes`` command line: thin wrappers over :mod:`behaviortypes.pipeline`.

Every command exits 0 on success. A mistake in the user's data or options prints one
line starting with ``error:`` (file, column, rows, value and a hint; ``fel:`` before a line
said in Swedish, the study's language) and exits 2;
nothing is half-written.
"""

from __future__ import annotations

import re
import sys
import time
import warnings
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from typer.exceptions import TyperException
from rich.console import Console
from rich.markup import escape
from rich.text import Text

from .errors import BehaviortypesError, BehaviortypesWarning, InputError, Problem, Said, TypesOverlapWarning
from .languages import (discovery_language, interviews_said_language, study_file_language,
                        study_language)

# Start-up: a command imports the pipeline (pandas, pydantic, the model stack: ~0.6 CPU s) only
# after its cheap checks (the study's language, the paths it names): a refusal of a missing
# folder or file, or of an option, is said without it.

__all__ = ["app", "main", "one_line_warnings"]

app = typer.Typer(
    name="behaviortypes",
    help="From coded interviews and a survey to behaviour types, a lookalike model that tags "
    "the whole customer base, and persona reports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
instrument_app = typer.Typer(help="Work with survey instruments (instrument.yaml).", no_args_is_help=True)
app.add_typer(instrument_app, name="instrument")

console = Console(stderr=True, highlight=False)
_python_formatwarning = warnings.formatwarning
out = Console(highlight=False)


def say(text: object) -> None:
    """Print plain text to stdout as written: never read as Rich markup (a folder or type
    name with "[draft]" in it stays whole) and never hard-wrapped (the terminal wraps; a
    log keeps whole lines)."""
    out.print(text, markup=False, soft_wrap=True)


class Engine(str, Enum):
    local = "local"
    dask = "dask"


class CsvDialect(str, Enum):
    excel = "excel"
    excel_sv = "excel-sv"
    plain = "plain"


class Lang(str, Enum):
    en = "en"
    sv = "sv"


def _said(key: str, lang: str | None = None, **values: object) -> str:
    """A line the command line prints, in ``lang`` (English by default): ``report/i18n``."""
    from .errors import Said, phrase
    from .texts import load_texts

    lang = lang if lang in ("en", "sv") else "en"
    values = {k: phrase(v.code, lang, v.values) if isinstance(v, Said) else v for k, v in values.items()}
    return load_texts(lang)[key].format(**values)


class _Steps:
    """Prints each pipeline step (to stdout) with the time the previous one took ("done in
    1.8 s", in ``lang``: "klart på 1,8 s").

    Standard error is kept for the one-line error message.
    """

    def __init__(self, lang: str | None = None) -> None:
        self.t0 = time.perf_counter()
        self.last: str | None = None
        self.lang = lang

    def _done(self, seconds: float) -> None:
        shown = f"{seconds:.1f}".replace(".", "," if self.lang == "sv" else ".")
        out.print(f"  [dim]{escape(_said('cli_done', self.lang, seconds=shown))}[/dim]")

    def __call__(self, message: str) -> None:
        now = time.perf_counter()
        if self.last is not None:
            self._done(now - self.t0)
        self.t0, self.last = now, message
        out.print(f"[bold]•[/bold] {escape(str(message))} …")

    def close(self) -> None:
        if self.last is not None:
            self._done(time.perf_counter() - self.t0)
            self.last = None


_DECIMAL = re.compile(r"-?\d+\.\d+")

#: The language the ``warning:`` lines are said in (``_run_warnings``); English by default.
_warning_lang = {"lang": "en"}
#: The language the ``error:`` line is said in: English until a command knows its study's
#: language or its ``--lang`` (:func:`_say_errors_in`); reset by every :func:`main`.
_error_lang = {"lang": "en"}


def _say_errors_in(lang: str | None) -> str:
    """Say a user error of this command in ``lang`` (``"en"`` or ``"sv"``; others: English);
    returns the language."""
    _error_lang["lang"] = lang if lang in ("en", "sv") else "en"
    return _error_lang["lang"]


@contextmanager
def _run_warnings(lang: str | None = None):
    """Warnings of a discovery run: said in ``lang`` (those that carry a ``code``), and the
    types-overlap warning left out, since the summary printed after the run says it, with
    more, in its continuum box (the same entropy and cut; ``pipeline.continuum_lines``)."""
    before = _warning_lang["lang"]
    _warning_lang["lang"] = lang if lang in ("en", "sv") else "en"
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=TypesOverlapWarning)
            yield
    finally:
        _warning_lang["lang"] = before


def _existing(path: Path, what: str) -> Path:
    """``path`` when it exists; else the error "``what`` not found" (``what`` the ending of
    a ``problem_what_*`` code of the catalogue: ``survey_folder``)."""
    if not path.exists():
        hint = None
        if what == "model":  # a model file of another name: say to pass the folder (trial 24)
            folder = path.parent if (path.parent / "lookalike.skops").is_file() else None
            hint = Said("problem_model_path_folder_hint" if folder else "problem_model_path_hint",
                        {"folder": str(folder), "file": "lookalike.skops"})
        raise InputError(code="problem_not_found", file=path, hint=hint,
                         values={"what": Said(f"problem_what_{what}"), "path": str(path.absolute())})
    return path


@app.command()
def demo(
    root: Annotated[Path, typer.Option(help="Project folder: writes surveys/demo and reports/demo under it.")] = Path("."),
    seed: Annotated[int, typer.Option(help="Seed of the generator and of every random step.", min=0)] = 0,
    customers: Annotated[int, typer.Option(help="Size of the generated customer base.")] = 100_000,
) -> None:
    """Generate the demo study and run the whole pipeline on it (report PDF included)."""
    from .pipeline import demo as run_demo

    steps = _Steps()
    with _run_warnings():
        results = run_demo(root, seed=seed, n_customers=customers, progress=steps)
    steps.close()
    say(results["discovery"].summary())
    for path in results["report"].files:
        say(_said("cli_report_file", "en", path=path))


@app.command()
def check(
    survey_dir: Annotated[Path, typer.Argument(help="Survey folder with instrument.yaml and responses.")],
    lang: Annotated[Optional[Lang], typer.Option(help="Language of the summary (default: the study's, else English).")] = None,
) -> None:
    """Read and validate a survey folder, screen respondents, report reliability and gaps."""
    said = _say_errors_in(lang.value if lang else study_language(survey_dir))
    _existing(survey_dir, "survey_folder")
    if survey_dir.is_dir():  # the instrument's mistakes, as load_survey says them first, before pandas is imported
        import warnings

        from .instrument import load_instrument

        inst = survey_dir / "instrument.yaml"
        with warnings.catch_warnings():  # its warnings are said once, by the check below
            warnings.simplefilter("ignore")
            load_instrument(inst if inst.is_file() or not (survey_dir / "instrument.yml").is_file()
                            else survey_dir / "instrument.yml")
    from .pipeline import check as run_check

    result = run_check(survey_dir)
    say(result.summary(said))


@app.command()
def discover(
    survey_dir: Annotated[Path, typer.Argument(help="Survey folder with instrument.yaml and responses.")],
    out_dir: Annotated[Path, typer.Option("--out", help="Discovery output folder.")],
    factors: Annotated[Optional[int], typer.Option(help="Number of factors (default: parallel analysis).", min=1)] = None,
    k: Annotated[Optional[int], typer.Option("--k", help="Number of types (default: chosen on evidence).", min=2)] = None,
    seed: Annotated[int, typer.Option(help="Seed for every random step.", min=0)] = 0,
    resamples: Annotated[int, typer.Option(help="Resamples for the stability evidence.", min=10, max=10000)] = 30,  # (= pipeline.DEFAULT_RESAMPLES)
    umap_map: Annotated[bool, typer.Option("--map/--no-map", help="Compute the UMAP map of respondents.")] = True,
    lang: Annotated[Optional[Lang], typer.Option(help="Language of the progress lines and the summary (default: the study's, instrument.yaml language:, else English).")] = None,
) -> None:
    """Find the behaviour types: screening, factor analysis, clustering, profiles."""
    said = _say_errors_in(lang.value if lang else study_language(survey_dir))
    _existing(survey_dir, "survey_folder")
    from .pipeline import discover as run_discover

    steps = _Steps(said)
    with _run_warnings(said):
        result = run_discover(survey_dir, out_dir, factors=factors, k=k, seed=seed,
                              n_resamples=resamples, make_map=umap_map, progress=steps, lang=said)
    steps.close()
    say(result.summary())


@app.command()
def lookalike(
    out_dir: Annotated[Path, typer.Argument(help="Discovery folder (from `discover`).")],
    customers: Annotated[Path, typer.Option(help="Customer base: .parquet, .csv or .duckdb.")],
    id_column: Annotated[Optional[str], typer.Option(help="Customer id column (default: the instrument's customer_id_column).")] = None,
    seed: Annotated[int, typer.Option(help="Seed for every random step.", min=0)] = 0,
    exclude: Annotated[Optional[list[str]], typer.Option(help="A customer column never to use as a feature (repeat for more). Names, e-mail, phone, personal identity numbers and addresses are always left out.")] = None,
) -> None:
    """Train the lookalike (twin) model linking survey types to customer behaviour."""
    said = _say_errors_in(discovery_language(out_dir))
    _existing(customers, "customer_file")
    from .pipeline import lookalike as run_lookalike

    # rich's transient bar leaves a blank line where output is not a terminal (a log, a pipe)
    with _run_warnings(said):  # personal data, columns that would leak the answer, not used, …: in the study's language
        result = run_lookalike(out_dir, customers, id_column=id_column, seed=seed,
                               progress=sys.stdout.isatty(), exclude=tuple(exclude or ()))
    say(result.summary(said))


@app.command()
def score(
    model: Annotated[Path, typer.Argument(help="lookalike.skops, or the discovery folder holding it.")],
    customers: Annotated[Path, typer.Option(help="Customer base: .parquet, .csv or .duckdb.")],
    out_path: Annotated[Path, typer.Option("--out", help="Scored output: .parquet (default), .duckdb or .csv.")],
    engine: Annotated[Engine, typer.Option(help="local (streaming) or dask (distributed).")] = Engine.local,
    scheduler: Annotated[Optional[str], typer.Option(help="Dask scheduler address, e.g. tcp://host:8786.")] = None,
    table: Annotated[Optional[str], typer.Option(help="Table to read when --customers is a .duckdb file.")] = None,
    out_table: Annotated[Optional[str], typer.Option(help="Table to write when --out is a .duckdb file.")] = None,
    id_column: Annotated[Optional[str], typer.Option(help="Customer id column (default: the one the model was trained with).")] = None,
    csv_dialect: Annotated[Optional[CsvDialect], typer.Option(help="For a .csv --out: excel (UTF-8 with BOM, ',' and decimal point), excel-sv (UTF-8 with BOM, ';' and decimal comma, for Excel in Swedish/Dutch/German settings) or plain (no BOM, for programs); default excel-sv for a Swedish study, else excel.")] = None,
) -> None:
    """Tag every customer with the most likely type and the type probabilities."""
    from .study import refuse_one_group

    said = _say_errors_in(discovery_language(model))

    refuse_one_group(model, "scoring the customer base")  # OUT/lookalike.skops of a k = 1 folder: why none
    _existing(model, "model")
    _existing(customers, "customer_file")
    from .pipeline import score as run_score

    with _run_warnings(said), _in_cli_terms():  # base_shares.json left as it was, raw shares: in the study's language
        summary = run_score(
            model, customers, out_path,
            engine=engine.value, scheduler=scheduler, table=table, out_table=out_table,
            id_column=id_column, progress=True, csv_dialect=csv_dialect.value if csv_dialect else None, lang=said,
        )
    say(summary.summary(said))
    from .lookalike.weak import card_weakness, weakness_lines

    for line in weakness_lines(card_weakness(model), said):  # a weak model: select by p_k (trial 12)
        say(line)


#: The library's sentences that name its Python arguments (``table=``) → the same said in
#: the command line's options (``--table``), which is what a user of ``score`` typed.
_CLI_TERMS = {"problem_source_table_not_duckdb": "cli_score_table_not_duckdb",
              "problem_out_table_not_duckdb": "cli_score_out_table_not_duckdb",
              "problem_score_which_table_fix": "cli_score_which_table_fix"}


@contextmanager
def _in_cli_terms():
    """Re-say the library's refusals that name a Python argument in the CLI's options."""
    try:
        yield
    except InputError as err:
        if not any(p.code in _CLI_TERMS or (p.hint_said and p.hint_said.code in _CLI_TERMS) for p in err.problems):
            raise
        raise InputError(problems=[_said_in_cli_terms(p) for p in err.problems]) from None


def _said_in_cli_terms(p: Problem) -> Problem:
    hint = p.hint_said
    if p.code not in _CLI_TERMS and not (hint and hint.code in _CLI_TERMS):
        return p
    if hint is not None and hint.code in _CLI_TERMS:
        hint = Said(_CLI_TERMS[hint.code], hint.values)
    elif p.code in _CLI_TERMS:
        hint = None  # the CLI sentence's own hint
    return Problem(code=_CLI_TERMS.get(p.code, p.code), values=p.values, file=p.file, column=p.column,
                   rows=p.rows, value=p.value, hint=hint, respondent=p.respondent)


@app.command()
def report(
    out_dir: Annotated[Path, typer.Argument(help="Discovery folder (from `discover`).")],
    pdf: Annotated[Optional[Path], typer.Option(help="Where to write the PDF (default: reports/<study>/).")] = None,
    lang: Annotated[Optional[Lang], typer.Option(help="Report language (default: the study's, instrument.yaml language:, else English).")] = None,
    pptx: Annotated[bool, typer.Option(help="Also write a PowerPoint deck.")] = False,
    png: Annotated[bool, typer.Option(help="Also write a PNG card per persona (none when the discovery found no distinct types, k = 1).")] = False,
) -> None:
    """Render the persona report (PDF) from a discovery folder; re-run after editing types.yaml."""
    formats = ("pdf",) + (("pptx",) if pptx else ()) + (("png",) if png else ())
    # a wrong path (no study to read the language from) follows --lang, else English; a file of
    # the folder (OUT/solution.json) the study's language, read from the folder beside it
    said = _say_errors_in(lang.value if lang else discovery_language(out_dir) if out_dir.exists() else "en")
    if _existing(out_dir, "discovery_folder").is_file():  # e.g. OUT/solution.json: the folder is meant
        raise InputError(code="problem_file_not_folder", file=out_dir, hint=Said(
            "problem_file_not_folder_fix", {"command": f"behaviortypes report {out_dir.parent}"}))
    # the folder's contract and a file of the user's named by --pdf are refused before the report's
    # stack is imported (matplotlib, SciPy, WeasyPrint: ~2 CPU s); run_report checks both again
    from .study import load as load_discovery

    load_discovery(out_dir)
    if pdf is not None:
        from .report.owned import refuse_foreign_files

        refuse_foreign_files([pdf])
    from .pipeline import report as run_report

    with _run_warnings(said):  # profile.json of an earlier discovery, …: in the report's language
        written = run_report(out_dir, pdf=pdf, lang=said, formats=formats).files
    for path in written:
        say(_said("cli_wrote", said, path=path))


@app.command()
def profile(
    out_dir: Annotated[Path, typer.Argument(help="Discovery folder (from `discover`).")],
    by: Annotated[Optional[str], typer.Option(help="Descriptor columns, comma-separated (default: the instrument's descriptors:, else the responses' other columns with 2-12 values).")] = None,
    outcomes: Annotated[Optional[str], typer.Option(help="Outcome columns (numbers or yes/no), comma-separated (default: the instrument's outcomes:).")] = None,
    customers: Annotated[Optional[Path], typer.Option(help="Customer base (.parquet, .csv, .duckdb): columns not in the responses come from it, for linked respondents.")] = None,
    id_column: Annotated[Optional[str], typer.Option(help="Customer id column of the base (default: the instrument's customer_id_column).")] = None,
    xlsx: Annotated[Optional[Path], typer.Option(help="Also write the formatted banner workbook here.")] = None,
    min_cell: Annotated[Optional[int], typer.Option(help="Hide cells with fewer respondents (default: the instrument's min_group_size if set, else 10).", min=1)] = None,
    lang: Annotated[Optional[Lang], typer.Option(help="Language of the workbook's sheet names, headers and notes and of the 'Wrote ...' lines (default: the study's, else English).")] = None,
) -> None:
    """Who the types are and what they are worth: banner tables, outcomes and covariates by type."""
    from .files import record_outputs

    study_lang = _say_errors_in(lang.value if lang else discovery_language(out_dir))
    if xlsx is not None:  # before any work: never a file of the user's
        from .describe.workbook import refuse_foreign_banner_workbook, write_banner_workbook  # (matplotlib)

        refuse_foreign_banner_workbook(xlsx)
    _existing(out_dir, "discovery_folder")
    if customers is not None:
        _existing(customers, "customer_file")
    from .describe.profile import profile_types_by

    with _run_warnings(study_lang):  # its warnings (absurd values, …) in the study's language
        result = profile_types_by(
            out_dir, by=by, outcomes=outcomes, customers=customers,
            id_column=id_column, min_cell=min_cell,
        )
    said = lang.value if lang else result.meta.get("language")
    for path in result.to_files():
        say(_said("cli_wrote", said, path=path))
    if xlsx is not None:
        written = write_banner_workbook(result, xlsx, lang=said)
        # in the discovery folder: recorded as ours, so a new discovery removes it
        record_outputs(out_dir if out_dir.is_dir() else out_dir.parent, [written])
        say(_said("cli_wrote", said, path=written))
    say(result.summary(said))


@app.command()
def run(study: Annotated[Path, typer.Argument(help="Study file (YAML) naming the survey, customers and every stage's options.")]) -> None:
    """Run every stage a study file asks for.

    Paths in the study file are relative to the study file's folder (not to the
    folder you run from). Keys: survey (required), out, name, seed, factors, k,
    resamples, map, customers, id_column, scored, engine, scheduler, out_table,
    csv_dialect, lang, profile {by, outcomes, min_cell, xlsx}, report {langs,
    formats, dir}. See docs/study_file.md.
    """
    try:
        _say_errors_in(study_file_language(study))  # its own key errors in its language, too
        _existing(study, "study_file")
        from .studyfile import StudyConfig  # (light: a study file's wrong key is said before the pipeline loads)

        cfg = StudyConfig.load(study)
        said = _say_errors_in(cfg.said_lang or study_language(cfg.survey))  # the study file's, else the study's
        cfg.check_inputs()  # (a missing survey or customer base too, before the imports; run_all checks again)
        from .pipeline import run as run_all

        steps = _Steps(said)
        with _run_warnings(said):
            results = run_all(cfg, progress=steps)
    except InputError as err:  # a study's errors name files in full: they may be anywhere
        raise InputError(problems=[_full_paths(p, _error_lang["lang"]) for p in err.problems]) from None
    steps.close()
    say(results["discovery"].summary())
    if "score" in results:
        say(_said("cli_scored_base", said, path=results["score"].out))
    for path in results["report"].files:
        say(_said("cli_report_file", said, path=path))


def _full_paths(problem: Problem, lang: str = "en") -> Problem:
    """The problem as one message, in ``lang``, whose file is shown with its full path (a
    message said in ``lang`` stays one: "fel:" before it)."""
    text = problem.said(lang)
    if problem.file:
        name = Path(problem.file).name
        if text.startswith(name):
            text = str(Path(problem.file).absolute()) + text[len(name):]
    return Problem(text) if problem.language(lang) == "en" else Problem(code="problem_as_said", values={"text": text})


@app.command()
def themes(
    path: Annotated[Path, typer.Argument(help="Coded interviews: codes.csv, a .qdpx/.qdc file, or an interviews/ folder.")],
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder for the theme tables.")],
    sources_dir: Annotated[Optional[Path], typer.Option(help="Folder of transcripts a .qdpx keeps outside the archive; nothing outside it is read.")] = None,
    lang: Annotated[Optional[Lang], typer.Option(help="Language of the lines printed and of the pseudonyms (default: the study's, when the interviews are in a survey folder, else the interviews' own).")] = None,
) -> None:
    """Read coded interviews; write the theme matrix, prevalence, co-occurrence and proto-types
    (participants as pseudonyms, quotes masked)."""
    from .i18n import counted

    folder = path if path.is_dir() else path.parent
    asked = lang.value if lang else None
    said = _say_errors_in(interviews_said_language(path, None, asked))
    _existing(path, "interview_file")
    from .interviews import read_interviews, write_theme_files

    with _run_warnings(said):  # a sheet without quotes: one line, in the study's language
        interviews = read_interviews(path, sources_dir=sources_dir)
    said = _say_errors_in(interviews_said_language(path, interviews, asked))  # else the interviews' own
    if out_dir.resolve() == folder.resolve():
        raise InputError(code="problem_themes_out_is_input", values={"out": out_dir}, file=path)
    if interviews.codings.empty:
        raise InputError(code="problem_themes_no_codings", file=path,
                         values={"participants": counted(len(interviews.participants), "participants"),
                                 "themes": counted(len(interviews.codebook), "codes")})
    quotes = interviews.codings["quote"]
    n_quotes = int(quotes.map(lambda q: isinstance(q, str) and bool(q.strip())).sum())
    say(_said("cli_themes_read", said, participants=counted(len(interviews.participants), "participants"),
              themes=counted(len(interviews.themes), "themes"), quotes=counted(n_quotes, "coded_quotes"), path=path))
    if interviews.position_unit == "utf-16":
        say(_said("cli_themes_utf16", said))
    written = write_theme_files(interviews, out_dir, lang=said)
    for path_written in written:
        say(_said("cli_wrote", said, path=path_written))
    say(_said("cli_themes_pseudonyms", said, first=_said("participant", said) + " A"))


@app.command("qdpx-types")
def qdpx_types(
    qdpx: Annotated[Path, typer.Argument(help="The interviews' REFI-QDA project (.qdpx).")],
    participants: Annotated[Path, typer.Option(help="Table with participant_id and type_name, or the interviewees' answers.")],
    out_path: Annotated[Path, typer.Option("--out", help="The .qdpx to write (the input is left as it is).")],
    typing_tool: Annotated[Optional[Path], typer.Option(help="typing_tool.yaml (or its discovery folder) to type interviewees from their answers.")] = None,
    lang: Annotated[Optional[Lang], typer.Option(help="Language of the lines printed (default: the typing tool's study's, else English).")] = None,
) -> None:
    """Write each interviewee's behaviour type into the QDA project as a case variable."""
    tool_dir = None if typing_tool is None else (typing_tool if typing_tool.is_dir() else typing_tool.parent)
    said = _say_errors_in(lang.value if lang else discovery_language(tool_dir) if tool_dir else "en")
    _existing(qdpx, "qda_project")
    _existing(participants, "participants_table")
    from .pipeline import interview_types

    with _run_warnings(said):  # participants not in the project: one line, in that language
        written = interview_types(qdpx, participants, out_path, typing_tool=typing_tool)
    from .i18n import counted

    say(_said("cli_qdpx_types_wrote", said, path=out_path, n=counted(len(written), "interviewees")))


@app.command("typing-tool")
def typing_tool(
    out_dir: Annotated[Path, typer.Argument(help="Discovery folder holding typing_tool.yaml (or the YAML file).")],
    html: Annotated[Optional[Path], typer.Option(help="Write the offline web form here.")] = None,
    xlsx: Annotated[Optional[Path], typer.Option(help="Write the Excel workbook here.")] = None,
    lang: Annotated[Optional[Lang], typer.Option(help="Language of the form's and workbook's own text (default: the study's).")] = None,
    score_file: Annotated[Optional[Path], typer.Option("--score", help="Type the respondents of this answers file (.csv, .xlsx, .sav) instead.")] = None,
    typed: Annotated[Optional[Path], typer.Option("--out", help="With --score: the CSV to write.")] = None,
    csv_dialect: Annotated[Optional[CsvDialect], typer.Option(help="With --score: excel (UTF-8 with BOM, ','), excel-sv (UTF-8 with BOM, ';' and decimal comma) or plain (no BOM, for programs); default excel-sv for a Swedish study, else excel.")] = None,
    id_column: Annotated[Optional[str], typer.Option(help="With --score: the answers' id column (default: respondent_id or the survey's id column).")] = None,
    min_answered: Annotated[Optional[int], typer.Option(help="With --score: fewest answered statements for a type (default: half of them); others get an empty type and a reason.", min=1)] = None,
) -> None:
    """Hand over the typing tool: an offline web form and an Excel workbook (default: both, into OUT), or type a file of answers with --score."""
    from .study import refuse_one_group

    study_lang = _say_errors_in(lang.value if lang else discovery_language(out_dir))
    refuse_one_group(out_dir, "the typing tool")  # OUT/typing_tool.yaml of a k = 1 folder: why none
    _existing(out_dir, "discovery_folder")
    # (the deliverables' modules import scikit-learn, openpyxl and jinja2: after the refusals of
    # the user's files and options)
    if score_file is not None or typed is not None:
        if score_file is None or typed is None:
            raise InputError(code="problem_score_and_out", hint="typing-tool OUT --score ANSWERS --out TYPED.csv")
        _existing(score_file, "answers_file")
        from .deliver.owned import refuse_folder_without_tool

        refuse_folder_without_tool(out_dir)  # (as the scoring says it, before its imports)
        from .deliver import score_answers_file
        from .lookalike.typing_tool import answers_id_column

        with _run_warnings(study_lang):  # weak evidence for types: "varning:" in a Swedish study
            result = score_answers_file(out_dir, score_file, typed,
                                        csv_dialect=csv_dialect.value if csv_dialect else None,
                                        id_column=answers_id_column(out_dir, score_file, id_column),
                                        min_answered=min_answered, progress=True,
                                        lang=lang.value if lang else None)
        say(result.summary(lang.value if lang else None))  # (the speed: the progress display's last figures)
        return
    given = [name for name, v in (("--csv-dialect", csv_dialect), ("--id-column", id_column),
                                  ("--min-answered", min_answered)) if v is not None]
    if given:
        raise InputError(code="problem_only_with_score", values={"option": given[0]},
                         hint=f"typing-tool OUT --score ANSWERS --out TYPED.csv {given[0]} ...")
    from .deliver.owned import refuse_folder_without_tool, refuse_foreign_typing_files

    refuse_foreign_typing_files(p for p in (html, xlsx) if p is not None)  # never a file of the user's
    refuse_folder_without_tool(out_dir)  # (as the deliverables say it, before their imports)
    from .deliver import write_typing_deliverables

    with _run_warnings(study_lang):  # below target: "varning:" before a Swedish note
        result = write_typing_deliverables(out_dir, html=html, xlsx=xlsx, lang=lang.value if lang else None)
    for path in result["paths"]:  # in the deliverables' language, as the agreement line below
        say(_said("cli_wrote", result.get("lang"), path=path))
    if not result["below_target"]:  # below target it is printed as a warning
        say(result["agreement"])


@instrument_app.command("draft")
def instrument_draft(
    path: Annotated[Path, typer.Argument(help="The answers: a CSV or Excel file, an SPSS .sav file or a Qualtrics export.")],
    out_path: Annotated[Optional[Path], typer.Option("--out", help="Where to write the draft (default: print it).")] = None,
    lang: Annotated[Optional[Lang], typer.Option(help="Language of the draft's comments (default: the statements', else English).")] = None,
) -> None:
    """Draft an instrument.yaml from an answers file — CSV, Excel, SPSS .sav or a Qualtrics export (items, texts, scale, keying)."""
    said = lang.value if lang else None
    _say_errors_in(said)
    _existing(path, "file")
    from .readers import draft_summary, instrument_draft_yaml, write_instrument_draft

    if out_path is None:
        # plain text, never wrapped to the terminal's width: `draft FILE > instrument.yaml` loads
        sys.stdout.write(instrument_draft_yaml(path, lang=said))
        sys.stdout.flush()
    else:
        written = write_instrument_draft(path, out_path, lang=said)
        # in the draft's language, each comment at its top that needs the user said again
        said, lines = draft_summary(written.read_text(encoding="utf-8"))
        say(_said("cli_draft_wrote", said, path=written))
        for line in lines:
            say(line)


@instrument_app.command("from-themes")
def instrument_from_themes_cmd(
    interviews: Annotated[Path, typer.Argument(help="The coded interviews: a REFI-QDA .qdpx, a CSV of codes and quotes, or their folder.")],
    out_path: Annotated[Path, typer.Option("--out", help="The instrument.yaml to write (never over an existing file).")],
    per_theme: Annotated[int, typer.Option(help="Statements to write per theme.")] = 3,
    all_themes: Annotated[bool, typer.Option("--all-themes", help="Also themes nearly everyone, or only one or two, raised.")] = False,
    lang: Annotated[Optional[Lang], typer.Option(help="Language of the comments and scale labels (default: the interviews').")] = None,
) -> None:
    """Start the survey from the interviews: an instrument.yaml with statement slots per theme, to write from the quotes."""
    said = lang.value if lang else None
    _say_errors_in(said or interviews_said_language(interviews))
    _existing(interviews, "file")
    from .interviews import read_interviews
    from .interviews.skeleton import write_instrument_from_themes

    read = read_interviews(interviews)
    _say_errors_in(interviews_said_language(interviews, read, said))  # the skeleton's language
    written = write_instrument_from_themes(read, out_path, per_theme=per_theme, lang=said, include_rare=all_themes)
    import yaml

    items = yaml.safe_load(written.read_text(encoding="utf-8"))
    said = said or items.get("language")
    from .i18n import counted

    say(_said("cli_skel_wrote", said, path=written, n=counted(len(items["items"]), "statements"),
              k=counted(len({it["theme"] for it in items["items"]}), "themes")))


def _error(message: str, lang: str = "en") -> None:
    """Print the one error line, ``error:`` first (``fel:`` when the line is said in Swedish)."""
    console.print(Text.assemble((_said("cli_error_prefix", lang), "bold red"), message), soft_wrap=True)


#: Options people reach for, by what they mean → the option that does it.
_OPTION_SYNONYMS = {
    "--clusters": "--k", "--n-clusters": "--k", "--nclusters": "--k", "--types": "--k",
    "--n-types": "--k", "--ntypes": "--k", "--segments": "--k", "--n-segments": "--k",
    "--n-factors": "--factors", "--nfactors": "--factors", "--dimensions": "--factors",
    "--n-dimensions": "--factors", "--language": "--lang", "--output": "--out", "-o": "--out",
    "--id": "--id-column", "--customer-id": "--id-column", "--customer-id-column": "--id-column",
    "--random-state": "--seed", "--bootstrap": "--resamples", "--n-resamples": "--resamples",
}


def _option_suggestion(err: Exception) -> str | None:
    """A better "did you mean" for an unknown option than spelling alone gives.

    Spelling suggests ``--factors`` for ``--clusters`` (they look alike, they mean
    different things): an option people use for the same thing wins, then an option
    that is spelled nearly the same; nothing when neither applies.
    """
    import difflib

    name = getattr(err, "option_name", None)
    ctx = getattr(err, "ctx", None)
    if not name or ctx is None or ctx.command is None:
        return None
    options = [o for p in ctx.command.params for o in (*p.opts, *p.secondary_opts) if o.startswith("-")]
    key = name.split("=", 1)[0].lower().replace("_", "-")
    if _OPTION_SYNONYMS.get(key) in options:
        return _OPTION_SYNONYMS[key]
    close = difflib.get_close_matches(key, options, n=1, cutoff=0.8)
    return close[0] if close else None


def _argv_language(argv: list[str] | None) -> str:
    """The language a command-line mistake is said in, read from the command line alone (the
    command has not run): ``--lang sv``, else the study of a folder or file it names (a
    survey folder, a discovery folder, a study file, a file inside either), else English."""
    args = list(sys.argv[1:] if argv is None else argv)
    for i, arg in enumerate(args):
        value = arg.split("=", 1)[1] if arg.startswith("--lang=") else (
            args[i + 1] if arg == "--lang" and i + 1 < len(args) else None)
        if value in ("en", "sv"):
            return value
    for arg in args:
        if arg.startswith("-"):
            continue
        path = Path(arg)
        try:
            if path.is_dir():
                said = (study_language(path) if (path / "instrument.yaml").is_file()
                        else discovery_language(path) if (path / "source.json").is_file() else None)
            elif path.is_file():
                folder = path.parent
                said = (study_file_language(path) if path.suffix.lower() in (".yaml", ".yml")
                        and path.name != "instrument.yaml" else study_language(folder)
                        if (folder / "instrument.yaml").is_file() else discovery_language(folder)
                        if (folder / "source.json").is_file() else None)
            else:
                said = None
            if said not in ("en", "sv") and (path.is_dir() or path.is_file()) and "interviews" in (
                    path.name.lower(), path.parent.name.lower()):  # <study>/interviews/: the study's
                said = interviews_said_language(path)
        except (OSError, ValueError):
            said = None
        if said in ("en", "sv"):
            return said
    return "en"


def _usage_said(err: Exception, argv: list[str] | None, lang: str) -> str | None:
    """A command-line mistake in ``lang`` (user trial 12: ``fel: okänt alternativ: --lnag.
    Menade du --lang?``): an unknown option, a value that is not a whole number, a
    number or one of the choices, a missing option, extra arguments; None for another."""
    kind = type(err).__name__
    option = getattr(err, "option_name", None)
    if option:
        better = _option_suggestion(err)
        return _said("cli_usage_no_option", lang, option=option) + (
            _said("cli_usage_did_you_mean", lang, better=better) if better else "")
    param = getattr(err, "param", None)
    hint = getattr(err, "param_hint", None) or (param.get_error_hint() if param is not None else None)
    hint = hint if isinstance(hint, str) or hint is None else " / ".join(f"'{h}'" for h in hint)
    message = str(getattr(err, "message", "") or "")
    if kind == "MissingParameter" and hint:
        return _said("cli_usage_missing", lang, option=hint)
    if kind == "UsageError" and message.startswith("Got unexpected extra argument"):
        extra = re.search(r"\(([^()]*)\)$", message)
        return _said("cli_usage_extra", lang, args=extra.group(1) if extra else message)
    if kind != "BadParameter" or not hint:
        return None
    opts = [o for o in getattr(param, "opts", []) if o.startswith("-")]
    args = list(sys.argv[1:] if argv is None else argv)
    value = next((a.split("=", 1)[1] for a in args if any(a.startswith(o + "=") for o in opts)), None)
    if value is None:
        value = next((args[i + 1] for i, a in enumerate(args[:-1]) if a in opts), "")
    choices = re.search(r"is not one of (.+?)\.?$", message)
    if choices:
        return _said("cli_usage_not_choice", lang, option=hint, value=value, choices=choices.group(1))
    bound = re.search(r"(greater|less) than or equal to (\S+?)\.?$", message)
    if bound:  # an option's range (--k 1, --resamples 5): Typer's English before session 18
        return _said("cli_usage_too_small" if bound.group(1) == "greater" else "cli_usage_too_large", lang,
                     option=hint, value=value, bound=bound.group(2))
    if "integer" in message:
        return _said("cli_usage_not_integer", lang, option=hint, value=value)
    if "number" in message or "float" in message:
        return _said("cli_usage_not_number", lang, option=hint, value=value)
    return None


def _usage_error(err: Exception, argv: list[str] | None = None) -> int:
    """One line for a command-line mistake (unknown option, bad or missing value); in
    Swedish for a Swedish study or ``--lang sv`` (:func:`_argv_language`)."""
    ctx = getattr(err, "ctx", None)
    if type(err).__name__ == "NoArgsIsHelpError":  # bare command: Typer shows the help
        text = err.format_message() if hasattr(err, "format_message") else ""
        if text.strip():  # (the rich help is already printed when the error is made)
            say(text)
        return 2
    message = err.format_message() if hasattr(err, "format_message") else str(err)
    if getattr(err, "option_name", None):  # an unknown option: our own suggestion, or none
        better = _option_suggestion(err)
        message = f"No such option: {err.option_name}" + (f". Did you mean {better}?" if better else "")
    where = ctx.command_path if ctx is not None else "behaviortypes"
    lang = _argv_language(argv)
    if lang != "en":
        said = _usage_said(err, argv, lang)
        message = said if said else _said("cli_usage_other", lang, message=message)
        _error(message + _said("cli_usage_see", lang, where=where), lang)
        return int(getattr(err, "exit_code", 2) or 2)
    _error(f"{message} (see '{where} --help')")
    return int(getattr(err, "exit_code", 2) or 2)


def _format_warning(message, category, filename, lineno, line=None) -> str:
    """behaviortypes' own warnings as one line (``warning: ...``), like the errors; in the
    language of the run when the warning carries its sentence's ``code``."""
    if issubclass(category, BehaviortypesWarning):
        text, code, lang = str(message), getattr(message, "code", None), _warning_lang["lang"]
        if getattr(message, "problem", None) is not None and lang != "en":
            text = message.said(lang)
            said = message.problem.language(lang)
        elif code and lang != "en":
            from .i18n import reason_text
            from .texts import Formatter, load_texts

            fmt = Formatter(lang)  # (a number the warning wrote with its digits keeps them)
            values = {k: fmt.num(float(v), len(v.split(".")[1])) if isinstance(v, str) and _DECIMAL.fullmatch(v)
                      else v for k, v in message.values.items()}
            text = reason_text({"code": code, "values": values}, load_texts(lang), fmt)
            said = lang  # (else the English text: "warning:")
        else:
            said = "en"
        return _said("cli_warning_prefix", said) + " ".join(text.split()) + "\n"
    return _python_formatwarning(message, category, filename, lineno, line)


def one_line_warnings(lang: str | None = "en") -> None:
    """Show behaviortypes' warnings as the command line does, from here on (a notebook).

    One line, ``warning: …`` (``varning: …`` in Swedish: the sentence in ``lang`` when the
    warning carries its code), instead of Python's ``quality.py:644: SurveyQualityWarning:``
    with the source file (user trial 12); other libraries' warnings keep Python's form.
    The notebooks call it once, after they know the study's language.
    """
    _warning_lang["lang"] = lang if lang in ("en", "sv") else "en"
    warnings.formatwarning = _format_warning


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the app; turn every user error into one line.

    Exit codes: 0 success, 2 a mistake in the input or on the command line (unknown
    option, bad value), 1 another known failure, 130 interrupted. Warnings of
    behaviortypes print as one line ``warning: ...`` on standard error.
    """
    with warnings.catch_warnings():  # restores Python's warning display afterwards
        warnings.formatwarning = _format_warning
        return _main(argv)


def _main(argv: list[str] | None) -> int:
    _say_errors_in("en")
    try:
        rc = app(args=argv, prog_name="behaviortypes", standalone_mode=False)
    except (typer.Abort, KeyboardInterrupt):
        _error("interrupted")
        return 130
    except TyperException as err:  # Typer's (vendored click) usage errors
        return _usage_error(err, argv)
    except InputError as err:
        lang = _error_lang["lang"]
        _error(err.said(lang), err.language(lang))
        return 2
    except BehaviortypesError as err:
        _error(str(err))
        return 1
    except FileNotFoundError as err:
        _error(f"file not found: {err.filename}")
        return 2
    except PermissionError as err:
        _error(f"permission denied: {err.filename}")
        return 2
    return rc if isinstance(rc, int) else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
