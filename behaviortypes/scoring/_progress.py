"""Progress of a scoring run: one measurement of rows and seconds for the bar and the summary.

On a terminal a rich progress bar is drawn in place. When the output is not a terminal
(a log file, CI, a notebook's captured output, ``nohup``) nothing is redrawn: a plain
line is printed every :data:`EVERY_PERCENT` of the rows (or every
:data:`EVERY_SECONDS` when the number of rows is not known up front) and once at the end,
so logs get a handful of lines instead of thousands of carriage returns.

The rows/s shown while scoring and at the end are the rows counted so far divided by the
seconds since the first batch started (:meth:`RowMeter.begin`; reading, scoring, checking and
writing), on the clock :func:`score_customers` uses for its summary, so the bar and the summary
agree; the seconds shown are the whole run's, start-up included (the summary says the start-up).
"""

from __future__ import annotations

import sys
import time
from typing import IO, Any

EVERY_PERCENT = 10
EVERY_SECONDS = 30.0
#: Fewest rows for which ``typing-tool --score`` shows progress: a smaller file is typed in
#: about the time it takes to start, and its summary line says the same figures.
SHOW_FROM_ROWS = 2_000


class RowMeter:
    """Rows done since ``started``, shown as a bar (terminal) or as sparse lines (log).

    Parameters
    ----------
    total : int or None
        Rows expected (``None``: not known, e.g. a CSV file).
    label : str
        What is being scored, e.g. ``"Scoring customers.csv"``.
    started : float
        ``time.perf_counter()`` when the run started (the summary's clock).
    enabled : bool, default=True
        ``False``: count only, show nothing.
    stream : file, optional
        Where to show progress (default: standard output, where the CLI prints its steps).
    lang : {"en", "sv"}, default="en"
        Language of the lines and their numbers (``14 000 av 140 000 rader``, ``4,0 s``).
    show_from : int, default=0
        Fewest rows worth showing: when :meth:`set_total` learns fewer, the bar is taken
        away and nothing more is shown (the summary says the figures).
    """

    def __init__(self, total: int | None, label: str, *, started: float, enabled: bool = True,
                 stream: IO[str] | None = None, lang: str = "en", show_from: int = 0) -> None:
        self.total = total
        self.show_from = int(show_from)
        self.lang = lang
        self.label = label
        self.started = started
        self.rows = 0
        self.startup = 0.0  # seconds before the first batch (see begin)
        self._frozen: float | None = None
        self._stream = stream if stream is not None else sys.stdout
        self._bar: Any = None
        self._task: Any = None
        self._enabled = enabled
        self._next_pct = EVERY_PERCENT
        self._next_time = started + EVERY_SECONDS
        isatty = getattr(self._stream, "isatty", None)
        self.terminal = bool(isatty and isatty())
        # a total still to be learnt with a floor to reach: no bar until set_total (trial 22:
        # "0/? 0 rows/s" while a 1,071-row file was read, then the summary's 1,071 rows)
        self._deferred = total is None and self.show_from > 0
        if enabled and self.terminal and not self._deferred:
            self._start_bar()

    # ------------------------------------------------------------------ figures
    def seconds(self) -> float:
        """Seconds since the run started (frozen at :meth:`finish`)."""
        return self._frozen if self._frozen is not None else time.perf_counter() - self.started

    def rate(self) -> float:
        """Rows per second since the first batch (:meth:`begin`; else since the run started):
        the scoring's own rate, without the start-up of reading the model and opening the
        base (user trial 24: 434 rows/s for 3,000 rows, 7 s of them start-up)."""
        s = self.seconds() - self.startup
        return self.rows / s if s > 0 else 0.0

    def begin(self) -> None:
        """The first batch starts now: the rate is counted from here (:attr:`startup`: the
        seconds before)."""
        self.startup = max(0.0, time.perf_counter() - self.started)

    # ------------------------------------------------------------------ updates
    def set_total(self, total: int) -> None:
        """The rows expected, once known (``typing-tool --score`` learns it after reading)."""
        self.total = int(total)
        if self.total < self.show_from:
            self._enabled = False
            if self._bar is not None:  # (erased, not left on the screen)
                self._bar.live.transient = True
                self.close()
        if self._enabled and self.terminal and self._bar is None:
            self._start_bar()  # deferred until the rows were known to be worth a bar
        if self._bar is not None:
            self._bar.update(self._task, total=self.total)

    def advance(self, rows: int) -> None:
        """Count ``rows`` more rows done."""
        self.rows += int(rows)
        if not self._enabled:
            return
        if self._bar is not None:
            self._bar.update(self._task, completed=self.rows)
            return
        now = time.perf_counter()
        if self.total:
            pct = 100 * self.rows / self.total
            if pct + 1e-9 >= self._next_pct and self.rows < self.total:
                self._line()
                while self._next_pct <= pct + 1e-9:
                    self._next_pct += EVERY_PERCENT
        elif now >= self._next_time:
            self._line()
            self._next_time = now + EVERY_SECONDS

    def finish(self, rows: int, seconds: float) -> None:
        """The run is done: show ``rows`` in ``seconds`` (the summary's figures) and stop."""
        self.rows = int(rows)
        self._frozen = float(seconds)
        if not self._enabled:
            return
        if self._bar is not None:
            self._bar.update(self._task, completed=self.rows, total=self.total or self.rows)
            self._bar.stop()
            self._bar = None
        else:
            self._line()

    def close(self) -> None:
        """Stop the bar without a final line (the run failed)."""
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    # ------------------------------------------------------------------ drawing
    def grouped(self, n: float) -> str:
        """A count as the lines show it (``5,000``; ``5 000`` in Swedish)."""
        text = f"{int(n):,}"
        return text.replace(",", "\u00a0") if self.lang == "sv" else text

    def figures(self) -> dict[str, str]:
        """``rows``, ``seconds`` and ``rate`` as the lines show them (a summary quoting
        these agrees with the last line)."""
        rows, rate, seconds = f"{self.rows:,}", f"{self.rate():,.0f}", f"{self.seconds():.1f}"
        if self.lang == "sv":
            rows, rate, seconds = rows.replace(",", "\u00a0"), rate.replace(",", "\u00a0"), seconds.replace(".", ",")
        return {"rows": rows, "seconds": seconds, "rate": rate}

    def text(self) -> str:
        """The progress as one line, e.g. ``Scoring base.csv: 400,000 of 1,000,000 rows (40 %) ...``."""
        if self.lang == "en":
            of = f" of {self.total:,}" if self.total else ""
            pct = f" ({100 * self.rows / self.total:.0f} %)" if self.total else ""
            return f"{self.label}: {self.rows:,}{of} rows{pct}, {self.rate():,.0f} rows/s, {self.seconds():.1f} s"
        from ..i18n import said

        fig = self.figures()
        if not self.total:
            return said("progress_rows", self.lang, label=self.label, **fig)
        return said("progress_rows_of", self.lang, label=self.label, total=f"{self.total:,}".replace(",", "\u00a0"),
                    pct=f"{100 * self.rows / self.total:.0f}", **fig)

    def _line(self) -> None:
        self._stream.write(self.text() + "\n")
        self._stream.flush()

    def _start_bar(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, ProgressColumn, TextColumn
        from rich.text import Text

        from ..i18n import said

        meter = self

        class CountColumn(ProgressColumn):  # "5,000/5,000", the summary's "5,000 rows"
            def render(self, task: Any) -> Text:
                done, total = meter.figures()["rows"], meter.grouped(task.total) if task.total else "?"
                return Text(f"{done}/{total}", style="progress.download")

        class RateColumn(ProgressColumn):
            def render(self, task: Any) -> Text:
                fig = meter.figures()
                per_s = "rows/s" if meter.lang == "en" else said("progress_per_s", meter.lang)
                return Text(f"{fig['rate']} {per_s}, {fig['seconds']} s", style="progress.data.speed")

        self._bar = Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), CountColumn(), RateColumn(),
            console=Console(file=self._stream),
        )
        self._bar.start()
        self._task = self._bar.add_task(self.label, total=self.total)
