"""Tests for behaviortypes.plots: every figure draws what it is given and nothing else."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from scipy.cluster.hierarchy import linkage

from behaviortypes import plots


@pytest.fixture(scope="module")
def frames():
    rng = np.random.default_rng(0)
    retention = pd.DataFrame({"n_factors": range(1, 9), "eigenvalue": [4, 3, 2, 1.5, .8, .6, .5, .4],
                              "pa_threshold": np.linspace(1.3, .8, 8), "map": np.linspace(.1, .02, 8)})
    loadings = pd.DataFrame(rng.uniform(-.2, .9, (6, 2)), index=[f"s{i}" for i in range(6)], columns=["F1", "F2"])
    evidence = pd.DataFrame({"k": [2, 3, 4, 5], "stability": [.9, .88, .7, .6], "bic": [10, 5, 7, 9]})
    sizes = pd.DataFrame({"type_id": [1, 2, 3], "share": [.5, .3, .2], "ci_low": [.45, .26, .16],
                          "ci_high": [.55, .34, .24]})
    umap = pd.DataFrame({"x": rng.normal(size=90), "y": rng.normal(size=90), "type_id": np.repeat([1, 2, 3], 30)})
    profile = pd.DataFrame([[1.2, -.3], [-.5, .8], [.1, -.9]], index=[1, 2, 3], columns=["F1", "F2"])
    themes = ["price", "speed", "app", "eco"]
    cooc = pd.DataFrame(rng.uniform(0, 1, (4, 4)), index=themes, columns=themes)
    return dict(retention=retention, loadings=loadings, evidence=evidence, sizes=sizes, umap=umap,
                profile=profile, cooc=cooc, names={1: "Bargain Hunters", 2: "Time Savers", 3: "Eco Fans"})


def _calls(f):
    n = f["names"]
    cal = pd.DataFrame({"mean_predicted": [.1, .5, .9], "observed": [.12, .48, .88], "count": [10, 20, 30]})
    conf = pd.DataFrame([[20, 2, 1], [3, 15, 2], [0, 1, 12]], index=[1, 2, 3], columns=[1, 2, 3])
    link = linkage(np.random.default_rng(1).normal(size=(6, 3)), "average")
    return {
        "scree": lambda ax=None: plots.plot_scree(f["retention"], n_factors=4, ax=ax),
        "loadings": lambda ax=None: plots.plot_loadings(f["loadings"], ax=ax),
        "stability": lambda ax=None: plots.plot_stability({1: .9, 2: .8, 3: .6}, names=n, ax=ax),
        "umap": lambda ax=None: plots.plot_umap(f["umap"], names=n, ax=ax),
        "profile": lambda ax=None: plots.plot_profile_heatmap(f["profile"], names=n, ax=ax),
        "sizes": lambda ax=None: plots.plot_sizes(f["sizes"], names=n, base_shares={1: .45, 2: .35, 3: .2}, ax=ax),
        "funnel": lambda ax=None: plots.plot_funnel({"Received": 700, "Screened out": 100, "Analysed": 600}, ax=ax),
        "calibration": lambda ax=None: plots.plot_calibration(cal, ax=ax),
        "confusion": lambda ax=None: plots.plot_confusion(conf, names=n, ax=ax),
        "cooccurrence": lambda ax=None: plots.plot_cooccurrence(f["cooc"], ax=ax),
        "dendrogram": lambda ax=None: plots.plot_dendrogram(link, [f"P{i}" for i in range(6)], ax=ax),
        "prevalence": lambda ax=None: plots.plot_theme_prevalence(pd.Series([.8, .5, .2], index=["a", "b", "c"]), ax=ax),
        "emblem": lambda ax=None: plots.plot_emblem({"F1": 1.5, "F2": -.5, "F3": .2}, ax=ax),
        "drivers": lambda ax=None: plots.plot_drivers({"F1": 1.5, "F2": -.5}, ax=ax),
        "importances": lambda ax=None: plots.plot_importances(pd.Series([.1, .05], index=["a", "b"]), ax=ax),
    }


def test_every_plot_returns_a_figure_and_respects_ax(frames):
    for name, call in _calls(frames).items():
        fig = call()
        assert isinstance(fig, Figure), name
        host = Figure()
        ax = host.add_subplot()
        assert call(ax=ax) is host, name
        assert "<svg" in plots.figure_to_svg(fig), name


def test_labels_survive_into_the_svg(frames):
    svg = plots.figure_to_svg(plots.plot_sizes(frames["sizes"], names=frames["names"]))
    for name in frames["names"].values():
        assert name in svg
    svg = plots.figure_to_svg(plots.plot_profile_heatmap(frames["profile"], names=frames["names"],
                                                         labels={"F1": "Price focus"}))
    assert "Price focus" in svg and "+1.20" in svg and "−0.90" in svg


def test_k_evidence_plots_only_the_indices_present(frames):
    fig = plots.plot_k_evidence(frames["evidence"], chosen_k=3)
    assert len(fig.axes) == 2
    assert [a.get_title() for a in fig.axes] == ["Stability (Jaccard)", "BIC (lower is better)"]
    line = fig.axes[0].lines[0]
    np.testing.assert_allclose(line.get_ydata(), [.9, .88, .7, .6])
    with pytest.raises(ValueError, match="none of the columns"):
        plots.plot_k_evidence(pd.DataFrame({"k": [2, 3], "foo": [1, 2]}))


def test_plots_draw_the_given_numbers_and_do_not_mutate(frames):
    sizes = frames["sizes"].copy()
    fig = plots.plot_sizes(sizes)
    pd.testing.assert_frame_equal(sizes, frames["sizes"])
    widths = [p.get_width() for p in fig.axes[0].patches]
    np.testing.assert_allclose(widths, [.5, .3, .2])
    fig = plots.plot_scree(frames["retention"])
    np.testing.assert_allclose(fig.axes[0].lines[1].get_ydata(), frames["retention"]["pa_threshold"])


def test_type_colors_are_deterministic_and_respect_user_colours():
    a = plots.type_colors([1, 2, 3], {2: "red"})
    assert a == plots.type_colors([1, 2, 3], {2: "red"})
    assert a[2] == "#ff0000"
    assert a[1] == plots.DEFAULT_PALETTE[0] and a[3] == plots.DEFAULT_PALETTE[2]


def test_emblem_is_a_deterministic_function_of_the_profile():
    one = plots.figure_to_svg(plots.plot_emblem({"F1": 1.0, "F2": -0.5, "F3": 0.3}, color="#336699"))
    again = plots.figure_to_svg(plots.plot_emblem({"F1": 1.0, "F2": -0.5, "F3": 0.3}, color="#336699"))
    other = plots.figure_to_svg(plots.plot_emblem({"F1": -1.0, "F2": 1.5, "F3": 0.3}, color="#336699"))
    assert one == again
    assert one != other


def test_svg_ids_do_not_collide_between_figures(frames):
    import re

    a = plots.figure_to_svg(plots.plot_umap(frames["umap"]))
    b = plots.figure_to_svg(plots.plot_sizes(frames["sizes"]))
    ids_a = set(re.findall(r'id="([^"]+)"', a))
    ids_b = set(re.findall(r'id="([^"]+)"', b))
    assert ids_a and ids_b and not ids_a & ids_b
    assert "<?xml" not in a and a.startswith("<svg")


def test_k_evidence_shows_best_model_bic_instead_of_single_model():
    ev = pd.DataFrame({"k": [2, 3, 4], "bic": [10.0, np.nan, 7.0], "bic_best": [9.0, 5.0, 6.0],
                       "stability": [.9, .8, .7]})
    fig = plots.plot_k_evidence(ev, chosen_k=3)
    titles = [a.get_title() for a in fig.axes]
    assert titles == ["Stability (Jaccard)", "BIC, best model (lower is better)"]


# --------------------------------------------------------------------------- numbers in the report's language
def _drawn_texts(fig) -> list[str]:
    """Every text a reader sees once the figure is drawn (tick labels included)."""
    from matplotlib.text import Text

    plots.figure_to_png(fig, dpi=30)  # tick labels are made while drawing
    return [t.get_text() for t in fig.findobj(Text) if t.get_visible() and t.get_text()]


def _numbers_in(texts: list[str]) -> list[str]:
    import re

    return [m for t in texts for m in re.findall(r"[−-]?\d[\d\u202f,.]*\s?%?", t)]


def test_swedish_figures_write_decimal_commas_and_spaced_percentages(frames):
    calls = _calls(frames)
    calls["k"] = lambda ax=None: plots.plot_k_evidence(frames["evidence"], chosen_k=3)
    calls["sizes"] = lambda ax=None: plots.plot_sizes(frames["sizes"], base_shares={1: .45, 2: .35, 3: .2},
                                                      labels={"survey": "Survey", "x": "Share"})  # no "95%"
    for name in ("scree", "loadings", "stability", "profile", "sizes", "funnel", "calibration", "k",
                 "confusion", "cooccurrence", "prevalence", "drivers", "importances", "dendrogram"):
        nums_sv, nums_en = (_numbers_in(_drawn_texts(_with_lang(calls[name], lang))) for lang in ("sv", "en"))
        assert nums_sv and len(nums_sv) == len(nums_en), name
        assert not any("." in n for n in nums_sv), (name, nums_sv)          # no decimal point in Swedish
        assert not any(n.startswith("-") for n in nums_sv), (name, nums_sv)  # typographic minus
        assert not any(n.endswith("%") and not n.endswith("\u00a0%") for n in nums_sv), (name, nums_sv)
        # English is unchanged: points, "34%" and "12,345"
        assert not any("\u00a0" in n or "\u202f" in n for n in nums_en), (name, nums_en)
        if any("." in n for n in nums_en):
            assert any("," in n for n in nums_sv), name


def _with_lang(call, lang):
    with plots.number_style(lang):
        return call()


def test_swedish_numbers_are_the_same_values_written_the_swedish_way(frames):
    fig = plots.plot_funnel({"Mottagna": 12345, "Bortsållade": 100, "Analyserade": 12245}, lang="sv")
    assert [t.get_text() for t in fig.axes[0].texts] == [
        "12\u202f345  (100\u00a0%)", "100  (1\u00a0%)", "12\u202f245  (99\u00a0%)"]
    fig = plots.plot_funnel({"Received": 12345, "Screened out": 100, "Analysed": 12245})
    assert [t.get_text() for t in fig.axes[0].texts] == ["12,345  (100%)", "100  (1%)", "12,245  (99%)"]
    fig = plots.plot_sizes(frames["sizes"], lang="sv")
    ticks = [t for t in _drawn_texts(fig) if t.endswith("%")]
    assert ticks and ticks[0] == "0\u00a0%" and "50\u00a0%" in ticks
    fig = plots.plot_profile_heatmap(frames["profile"], lang="sv")
    assert {"+1,20", "−0,90", "+0,80"} <= {t.get_text() for t in fig.axes[0].texts}
    # an explicit lang wins over the enclosing block; the block ends cleanly
    with plots.number_style("sv"):
        fig = plots.plot_profile_heatmap(frames["profile"], lang="en")
    assert "+1.20" in {t.get_text() for t in fig.axes[0].texts}
    fig = plots.plot_profile_heatmap(frames["profile"])
    assert "−0.90" in {t.get_text() for t in fig.axes[0].texts}
    with pytest.raises(ValueError, match="lang='de'"):
        plots.plot_sizes(frames["sizes"], lang="de")
    with pytest.raises(ValueError, match="lang='de'"):
        with plots.number_style("de"):
            pass


def test_user_text_on_a_callers_axes_is_not_mathtext(frames):
    from matplotlib.text import Text

    names = {1: "Saver $\\frac$ 50", 2: "$50-$100 spenders", 3: "Eco Fans"}
    host = Figure()
    mine = host.add_subplot(1, 2, 1)
    mine.set_title("$\\alpha$")  # the caller's own axes keeps its mathtext
    ax = host.add_subplot(1, 2, 2)
    plots.plot_sizes(frames["sizes"], names=names, ax=ax)
    plots.figure_to_png(host, dpi=30)  # "$\\frac$" parsed as maths would raise here
    assert [t.get_text() for t in ax.get_yticklabels()] == list(names.values())
    assert mine.title.get_parse_math()
    for name, call in _calls(frames).items():  # every figure, drawn into a caller's axes
        host = Figure()
        ax = host.add_subplot()
        call(ax=ax)
        assert not any(t.get_parse_math() for t in ax.findobj(Text)), name


#: Type names as long as the STAI trial's (k = 7), in both languages (Swedish ones are longer).
LONG_TYPE_NAMES = {
    "en": ["Driven by worry about the future", "Indifferent to anxiety absent",
           "Indifferent to worry about the future (high on anxiety present)",
           "Driven by worry about the future (high on anxiety present)",
           "Indifferent to worry about the future (high on anxiety absent)", "Driven by anxiety present",
           "Indifferent to anxiety absent (low on worry about the future)", "Indifferent to anxiety present",
           "Driven by anxiety present (low on anxiety absent)",
           "Driven by anxiety absent (low on worry about the future, high on anxiety present)"],
    "sv": ["Den som sätter oro inför framtiden först", "Den som bryr sig mindre om frånvaro av ångest",
           "Den som bryr sig mindre om oro inför framtiden (högt på närvarande ångest)",
           "Den som sätter oro inför framtiden först (högt på närvarande ångest)",
           "Den som bryr sig mindre om oro inför framtiden (högt på frånvaro av ångest)",
           "Den som sätter närvarande ångest först",
           "Den som bryr sig mindre om frånvaro av ångest (lågt på oro inför framtiden)",
           "Den som bryr sig mindre om närvarande ångest",
           "Den som sätter närvarande ångest först (lågt på frånvaro av ångest)",
           "Den som sätter frånvaro av ångest först (lågt på oro inför framtiden, högt på närvarande ångest)"],
}


def assert_labels_apart_and_inside(fig, labels):
    """The drawn labels' boxes (pixels): no two overlap and all lie inside the figure."""
    fig.canvas.draw()
    boxes = [t.get_window_extent() for t in labels if t.get_text()]
    inside = fig.bbox
    for b in boxes:
        assert inside.x0 - 0.5 <= b.x0 and b.x1 <= inside.x1 + 0.5, (b, inside)
        assert inside.y0 - 0.5 <= b.y0 and b.y1 <= inside.y1 + 0.5, (b, inside)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not a.overlaps(b), (a, b)
    return boxes


@pytest.mark.parametrize("lang", ["en", "sv"])
@pytest.mark.parametrize("k", range(2, 11))
def test_type_columns_of_a_heatmap_fit_side_by_side(k, lang):
    """The statements heatmap (types as columns, as the report draws it at 7 inches wide):
    no two type labels overlap or leave the figure at any k, each keeps its number and
    every word of its name (the STAI trial, k = 7: the labels ran into each other)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    rng = np.random.default_rng(k)
    # statements as the report writes them: on up to two lines of 52 characters
    items = [f"I {'often ' * (i % 4)}worry about things\nthat might happen, statement {i}" for i in range(22)]
    profile = pd.DataFrame(rng.normal(size=(22, k)), index=items, columns=range(1, k + 1))
    names = dict(zip(range(1, k + 1), LONG_TYPE_NAMES[lang]))
    labels = {t: plots.type_label(t, n, width=200, max_lines=1) for t, n in names.items()}
    fig = plots.plot_profile_heatmap(profile, labels=labels, fmt="{:+.1f}", lang=lang)
    fig.set_size_inches(7.0, 1.25 + 0.2 * 22)  # what the report sets after drawing
    FigureCanvasAgg(fig)
    ax = fig.axes[0]
    assert_labels_apart_and_inside(fig, ax.get_xticklabels())
    drawn = [t.get_text() for t in ax.get_xticklabels()]
    for t, text in zip(names, drawn):
        assert text.startswith(f"{t} ·"), text  # the number first, never broken from its dot
        assert " ".join(text.split()) == f"{t} · {names[t]}"  # nothing cut, only wrapped
    assert min(t.get_fontsize() for t in ax.get_xticklabels()) >= 5


def test_factor_columns_of_a_heatmap_fit_side_by_side():
    """Many factors with long names (types as rows): the factor labels neither overlap nor
    leave the figure; neither do the type labels of the rows."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    factors = {f"F{i}": f"Worry about {w} and what may follow" for i, w in
               enumerate(["health", "money", "family", "work", "the future", "friends", "safety", "sleep"], 1)}
    profile = pd.DataFrame(np.random.default_rng(0).normal(size=(10, 8)), index=range(1, 11), columns=list(factors))
    names = {t: plots.type_label(t, n, max_lines=3) for t, n in enumerate(LONG_TYPE_NAMES["sv"], 1)}
    fig = plots.plot_profile_heatmap(profile, names=names, labels=factors)
    fig.set_size_inches(7.0, 0.9 + 0.56 * 10)
    FigureCanvasAgg(fig)
    ax = fig.axes[0]
    assert_labels_apart_and_inside(fig, ax.get_xticklabels())
    assert_labels_apart_and_inside(fig, ax.get_yticklabels())
    assert [" ".join(t.get_text().split()) for t in ax.get_xticklabels()] == list(factors.values())


#: Dimension names as long as real ones, with long single words (Swedish compounds).
LONG_FACTOR_NAMES = {
    "en": ["Reading enjoyment for its own sake", "Reading only when made to", "Social reading with friends and family",
           "Instrumental motivation for schoolwork", "Information-seeking", "Self-determination in reading",
           "Comprehension difficulties", "Bookstore and library visits", "Talking about books with other people",
           "Reading as a waste of time"],
    "sv": ["Läsglädje för läsandets skull", "Läser bara när det krävs", "Social läsning med vänner och familj",
           "Instrumentell studiemotivation", "Informationssökande", "Självbestämmande i läsningen",
           "Läsförståelsesvårigheter", "Bokhandelsbesök och biblioteksbesök", "Samtal om böcker med andra",
           "Läsning som slöseri med tid"],
}


#: The PISA trial's type names (k = 10): shorter than LONG_TYPE_NAMES, so wider columns.
PISA_TYPE_NAMES = ["Indifferent to reading enjoyment", "The social shopper", "Driven by reading enjoyment 2",
                   "Driven by reading enjoyment 2 (independent mind)", "The social shopper (high on reading enjoyment)",
                   "The independent mind", "Indifferent to reading enjoyment 2 (low on reading enjoyment)",
                   "Indifferent to reading enjoyment 2", "The social shopper (low on reading enjoyment 2)",
                   "Driven by reading enjoyment"]


@pytest.mark.parametrize("rows", ["long types, k = 10", "PISA types, k = 3", "PISA types, k = 10"])
@pytest.mark.parametrize("lang", ["en", "sv"])
@pytest.mark.parametrize("n_factors", range(2, 11))
def test_factor_labels_of_the_type_heatmap_fit_without_breaking_words(n_factors, lang, rows):
    """The type × dimension heatmap as the report draws it (min(7, 2.2 + 0.85 m) inches
    wide, types as rows): with up to ten long dimension names no two labels overlap or
    leave the figure, also in the SVG the report embeds, and no word is broken between
    its letters (at ten Swedish names "Självbestämmande" came out as "Självbestä-/mmande");
    a word breaks only after its own hyphen."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    factors = {f"F{i}": name for i, name in enumerate(LONG_FACTOR_NAMES[lang][:n_factors], 1)}
    k = int(rows.rsplit(" ", 1)[1])
    profile = pd.DataFrame(np.random.default_rng(n_factors).normal(size=(k, n_factors)), index=range(1, k + 1),
                           columns=list(factors))
    source = LONG_TYPE_NAMES[lang] if rows.startswith("long") else PISA_TYPE_NAMES
    names = {t: plots.type_label(t, n, max_lines=3) for t, n in enumerate(source[:k], 1)}
    fig = plots.plot_profile_heatmap(profile, names=names, labels=factors)
    fig.set_size_inches(min(7.0, 2.2 + 0.85 * n_factors), 0.9 + 0.46 * k)  # as the report sizes it
    # as the report embeds it: savefig lays out, then draws again with the layout off
    svg = plots.figure_to_svg(fig)
    height = float(re.search(r'viewBox="0 0 [\d.]+ ([\d.]+)"', svg).group(1))
    baselines = [float(y) for y in re.findall(r'<text [^>]*transform="translate\([\d.]+ ([\d.]+)\)"', svg)]
    assert baselines and max(baselines) + 2 <= height, (max(baselines), height)  # the descent stays inside
    FigureCanvasAgg(fig)
    ax = fig.axes[0]
    assert_labels_apart_and_inside(fig, ax.get_xticklabels())
    assert_labels_apart_and_inside(fig, ax.get_yticklabels())
    drawn = [" ".join(t.get_text().replace("-\n", "-").split()) for t in ax.get_xticklabels()]
    assert drawn == list(factors.values())
    assert min(t.get_fontsize() for t in ax.get_xticklabels()) >= 5


def test_theme_prevalence_draws_each_themes_interval():
    """Session 14: the prevalence bars had no intervals though notebook 01 says they do: given
    prevalence()'s table, each bar gets its ci_low-ci_high whisker, the numbers as given."""
    table = pd.DataFrame({"theme": ["a", "b", "c"], "share": [.8, .5, .2],
                          "ci_low": [.6, .3, .05], "ci_high": [.92, .7, .45]})
    fig = plots.plot_theme_prevalence(table)
    ax = fig.axes[0]
    spans = sorted(tuple(np.round(sorted(seg[:, 0]), 6)) for c in ax.collections for seg in c.get_segments())
    assert spans == sorted([(.6, .92), (.3, .7), (.05, .45)])
    # a plain Series of shares: bars only, as before
    fig = plots.plot_theme_prevalence(pd.Series([.8, .5], index=["a", "b"]))
    assert not [seg for c in fig.axes[0].collections for seg in c.get_segments()]


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_confusion_matrix_column_labels_do_not_overlap(lang):
    """User trial 10: the lookalike page's confusion matrix (3.6 × 2.9 inches, four types
    named in full) had its predicted-type labels run into each other. The columns are
    the rows' types in the same order: they carry the type's number, the rows the name."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    names = {t: plots.type_label(t, n, max_lines=3) for t, n in zip(range(1, 5), LONG_TYPE_NAMES[lang])}
    matrix = pd.DataFrame([[199, 21, 15, 7], [93, 44, 72, 5], [27, 30, 135, 7], [69, 36, 45, 10]],
                          index=range(1, 5), columns=range(1, 5))
    fig = plots.plot_confusion(matrix, names=names)
    fig.set_size_inches(3.6, 2.9)  # what the report sets
    FigureCanvasAgg(fig)
    ax = fig.axes[0]
    assert_labels_apart_and_inside(fig, ax.get_xticklabels())
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "2", "3", "4"]
    assert [t.get_text() for t in ax.get_yticklabels()] == [names[t] for t in range(1, 5)]


def test_loadings_with_long_statements_keep_their_layout(tmp_path):
    """User trial 11: notebook 03 showed "constrained_layout not applied because axes sizes
    collapsed to zero" for 15 GCBS statements of up to 120 characters. The labels wrap and
    the figure makes room, so the layout applies (fixed, not silenced)."""
    import warnings

    import numpy as np
    import pandas as pd

    from behaviortypes import plots

    rng = np.random.default_rng(0)
    ids = [f"GCBS{i}" for i in range(1, 16)]
    loadings = pd.DataFrame(rng.uniform(-0.2, 0.9, (15, 4)), index=ids, columns=["F1", "F2", "F3", "F4"])
    texts = {i: ("The government is involved in the murder of innocent citizens and/or well-known public "
                 f"figures, and keeps this a secret ({i})") for i in ids}
    fig = plots.plot_loadings(loadings, item_labels=texts)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="constrained_layout not applied")
        fig.savefig(tmp_path / "loadings.png")
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert all("keeps this a secret" in lab and "\n" in lab for lab in labels)  # whole, wrapped
