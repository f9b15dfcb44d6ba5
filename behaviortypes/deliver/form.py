"""The typing tool as one self-contained, offline web form (HTML + inline CSS and JS).

The page loads nothing: a Content-Security-Policy allows only its own inline script
and style (by hash), no network, no images, no form submission. Study text reaches
the page only HTML-escaped (Jinja2 autoescape) or as JSON with ``<``, ``>`` and ``&``
escaped, and the script writes it with ``textContent``: a statement or type name
holding ``</script>`` or ``<img onerror=...>`` is shown as text.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import jinja2

from ..files import write_text
from .spec import TypingSpec, default_min_answered, load_typing_spec
from .texts import ui_text

__all__ = ["render_typing_html", "write_typing_html"]

_CSS = """
:root{--ink:#1d232a;--muted:#56606b;--line:#c9d0d7;--accent:#0b5cad;--bg:#f6f7f9;--card:#fff;--ok:#0a6b3d;--warn:#8a4b00}
*{box-sizing:border-box}
html{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",Arial,sans-serif;color:var(--ink);background:var(--bg);line-height:1.45;-webkit-text-size-adjust:100%}
body{margin:0}
main{max-width:52rem;margin:0 auto;padding:1.25rem 1rem 3rem}
h1{font-size:1.6rem;margin:.2rem 0 .4rem}
h2{font-size:1.2rem;margin:0 0 .5rem}
.study{color:var(--muted);margin:0;font-size:.95rem}
.intro,.note{margin:.4rem 0}
.note{font-size:.9rem;color:var(--muted)}
.layout{display:grid;grid-template-columns:minmax(0,1fr) 17rem;gap:1.25rem;align-items:start;margin-top:1rem}
fieldset{min-width:0;border:1px solid var(--line);border-radius:.6rem;background:var(--card);margin:0 0 .9rem;padding:.8rem 1rem 1rem}
legend{float:left;width:100%;padding:0;margin-bottom:.5rem;font-weight:600;font-size:1.02rem;overflow-wrap:anywhere}
legend .num{display:block;font-weight:400;font-size:.8rem;color:var(--muted);margin-bottom:.15rem}
.scale{clear:both;display:grid;grid-template-columns:repeat(var(--n),minmax(0,1fr));gap:.35rem;margin-top:.4rem}
.scale label{display:flex;flex-direction:column;align-items:center;text-align:center;gap:.2rem;padding:.45rem .2rem;border:1px solid var(--line);border-radius:.45rem;cursor:pointer;font-size:.8rem;color:var(--muted);min-height:2.75rem}
.scale label:hover{border-color:var(--accent)}
.scale input{width:1.15rem;height:1.15rem;margin:0;accent-color:var(--accent)}
.scale input:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
.scale label:has(input:checked){border-color:var(--accent);background:#e8f1fb;color:var(--ink)}
.scale .v{font-weight:600;color:var(--ink);font-size:.95rem}
.actions{margin:.5rem 0}
button{font:inherit;padding:.5rem 1rem;border-radius:.45rem;border:1px solid var(--accent);background:var(--card);color:var(--accent);cursor:pointer;min-height:2.75rem}
button:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
#tt-result{position:sticky;top:1rem;background:var(--card);border:2px solid var(--accent);border-radius:.6rem;padding:1rem}
#tt-name{font-size:1.35rem;font-weight:700;margin:.2rem 0;overflow-wrap:anywhere}
#tt-tagline{margin:.2rem 0 .6rem;overflow-wrap:anywhere}
.status{font-size:.9rem;color:var(--muted);margin:.2rem 0}
meter{width:100%;height:1rem}
table{width:100%;border-collapse:collapse;font-size:.88rem;margin-top:.6rem}
caption{text-align:left;font-weight:600;margin-bottom:.2rem}
td,th{padding:.25rem .2rem;border-top:1px solid var(--line);text-align:left;overflow-wrap:anywhere}
td.p{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
tr.best td{font-weight:700}
footer{margin-top:2rem;font-size:.8rem;color:var(--muted)}
.caution{margin:.5rem 0;padding:.5rem .75rem;border-left:4px solid var(--warn);background:#fdf3e7;font-weight:600}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
@media (max-width:44rem){
 .layout{grid-template-columns:minmax(0,1fr)}
 #tt-result{position:sticky;bottom:0;top:auto;order:2;border-width:2px 0 0;border-radius:0;margin:0;padding:.7rem .2rem}
 #tt-result table,#tt-result h2{display:none}
 #tt-missing{font-size:.8rem;margin:0;line-height:1.3}
 #tt-name{font-size:1.15rem;margin:0}
 #tt-tagline{margin:0 0 .2rem;font-size:.9rem}
 .scale{grid-template-columns:1fr;gap:.3rem}
 .scale label{flex-direction:row;justify-content:flex-start;text-align:left;gap:.6rem;padding:.5rem .6rem}
 .scale .v{min-width:1.2rem}
}
@media print{#tt-result{position:static}button{display:none}}
"""

_JS = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("tt-data").textContent);
  var items = data.items, types = data.types, lo = data.scale.min, hi = data.scale.max;

  function isMissing(v) {
    return v === null || v === undefined || (typeof v === "string" && v.trim() === "") ||
      (typeof v === "number" && isNaN(v));
  }
  function toNumber(id, v) {
    var num = typeof v === "number" ? v : Number(String(v).trim().replace(",", "."));
    if (typeof v === "boolean" || !isFinite(num)) {
      throw new TypeError("answer to " + id + " is not a number: " + String(v));
    }
    if (num < lo || num > hi) {
      throw new RangeError("answer to " + id + " is outside the scale " + lo + "-" + hi + ": " + num);
    }
    return num;
  }
  /* Same model as TypingTool.score: a missing answer counts as the item mean,
     score = sum(weight * answer) + intercept, probability = softmax, type = highest score. */
  function score(answers) {
    answers = answers || {};
    var x = items.map(function (id, i) {
      var v = Object.prototype.hasOwnProperty.call(answers, id) ? answers[id] : null;
      return isMissing(v) ? data.means[i] : toNumber(id, v);
    });
    var s = types.map(function (t) {
      var dot = 0;
      for (var i = 0; i < x.length; i++) { dot += x[i] * t.weights[i]; }
      return dot + t.intercept;
    });
    var best = 0;
    for (var j = 1; j < s.length; j++) { if (s[j] > s[best]) { best = j; } }
    var e = s.map(function (v) { return Math.exp(v - s[best]); });
    var total = e.reduce(function (a, b) { return a + b; }, 0);
    var probabilities = {};
    types.forEach(function (t, k) { probabilities[t.type_id] = e[k] / total; });
    return {
      type_id: types[best].type_id,
      type_name: types[best].name,
      tagline: types[best].tagline,
      probability: e[best] / total,
      probabilities: probabilities
    };
  }
  window.typingTool = Object.freeze({ items: items.slice(), score: score });

  var form = document.getElementById("tt-form");
  var ui = data.ui;
  function fmtPct(p) {
    var v = (100 * p).toFixed(0);
    return data.lang === "sv" ? v + "\u00a0%" : v + "%";
  }
  function current() {
    var answers = {}, n = 0;
    items.forEach(function (id, i) {
      var checked = form.querySelector("input[name='q" + i + "']:checked");
      if (checked) { answers[id] = Number(checked.value); n++; }
    });
    return { answers: answers, n: n };
  }
  function clear(box) {  // no type: nothing of an earlier one is left to show, print or read
    ["tt-name", "tt-tagline", "tt-prob", "tt-meter"].forEach(function (id) {
      document.getElementById(id).textContent = "";
    });
    document.getElementById("tt-meter").value = 0;
    types.forEach(function (t) {
      var row = document.getElementById("tt-row-" + t.type_id);
      row.querySelector(".p").textContent = "";
      row.className = "";
    });
    box.hidden = true;
  }
  function render() {
    var cur = current();
    var status = document.getElementById("tt-status");
    var box = document.getElementById("tt-type");
    if (cur.n === 0) {
      status.textContent = ui.no_answers;
      clear(box);
      return;
    }
    if (cur.n < data.min_answered) {  // as --score and the workbook: too few answers for a type
      status.textContent = ui.too_few.replace("{a}", cur.n).replace("{n}", items.length)
        .replace("{m}", data.min_answered);
      clear(box);
      return;
    }
    var r = score(cur.answers);
    status.textContent = ui.answered.replace("{a}", cur.n).replace("{n}", items.length);
    document.getElementById("tt-missing").hidden = cur.n === items.length;
    var shown = types.filter(function (t) { return t.type_id === r.type_id; })[0];
    [["tt-name", r.type_name, shown.name_lang], ["tt-tagline", r.tagline, shown.tagline_lang]].forEach(function (f) {
      var el = document.getElementById(f[0]);
      el.textContent = f[1];
      if (f[2]) { el.setAttribute("lang", f[2]); } else { el.removeAttribute("lang"); }
    });
    document.getElementById("tt-prob").textContent = fmtPct(r.probability);
    var meter = document.getElementById("tt-meter");
    meter.value = r.probability;
    meter.textContent = fmtPct(r.probability);
    types.forEach(function (t) {
      var row = document.getElementById("tt-row-" + t.type_id);
      row.querySelector(".p").textContent = fmtPct(r.probabilities[t.type_id]);
      row.className = t.type_id === r.type_id ? "best" : "";
    });
    box.hidden = false;
  }
  form.addEventListener("change", render);
  document.getElementById("tt-reset").addEventListener("click", function () {
    form.reset();
    render();
  });
  render();
})();
"""

_TEMPLATE = """<!DOCTYPE html>
<html lang="{{ lang }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{{ csp }}">
<meta name="referrer" content="no-referrer">
<meta name="generator" content="behaviortypes typing tool">
<title>{{ t.title }}{% if study %} · {{ study }}{% endif %}</title>
<style>{{ css }}</style>
</head>
<body>
<main>
<header>
{% if study %}<p class="study">{{ study }}</p>{% endif %}
<h1>{{ t.title }}</h1>
<p class="intro">{{ intro }}</p>
{% if caution %}<p class="caution" role="note">{{ caution }}</p>{% endif %}
</header>
<div class="layout">
<form id="tt-form" autocomplete="off" novalidate>
{% for q in questions %}
<fieldset id="tt-q{{ loop.index0 }}">
<legend><span class="num">{{ q.counter }}</span><span{{ sl }}>{{ q.text }}</span></legend>
<div class="scale" data-n="{{ points|length }}">
{% for p in points %}<label><input type="radio" name="q{{ q.index }}" value="{{ p.value }}" data-item="{{ q.id }}"><span class="v">{{ p.value }}</span>{% if p.label %}<span class="l"{{ sl if p.study else "" }}>{{ p.label }}</span>{% endif %}</label>
{% endfor %}</div>
</fieldset>
{% endfor %}
<div class="actions"><button type="button" id="tt-reset">{{ t.reset }}</button></div>
</form>
<section id="tt-result" aria-live="polite" aria-labelledby="tt-result-h">
<h2 id="tt-result-h">{{ t.result }}</h2>
<p class="status" id="tt-status">{{ t.no_answers }}</p>
<div id="tt-type" hidden>
<p class="status" id="tt-missing">{{ t.unanswered_note }}</p>
<p id="tt-name"></p>
<p id="tt-tagline"></p>
<p class="status">{{ t.probability }}: <strong id="tt-prob"></strong></p>
<meter id="tt-meter" min="0" max="1" value="0" aria-labelledby="tt-prob"></meter>
<table>
<caption>{{ t.all_types }}</caption>
<thead><tr><th scope="col">{{ t.type }}</th><th scope="col" class="sr-only">{{ t.probability }}</th></tr></thead>
<tbody>
{% for ty in types %}<tr id="tt-row-{{ ty.type_id }}"><td{% if ty.name_lang %} lang="{{ ty.name_lang }}"{% endif %}>{{ ty.name }}</td><td class="p"></td></tr>
{% endfor %}</tbody>
</table>
</div>
</section>
</div>
<footer><p>{{ t.offline }} {{ t.footer }}</p></footer>
</main>
<script type="application/json" id="tt-data">{{ data_json }}</script>
<script>{{ js }}</script>
</body>
</html>
"""


def _json_for_script(obj: Any) -> str:
    """JSON safe inside ``<script>``: no ``<``, ``>``, ``&`` or line separators left raw."""
    text = json.dumps(obj, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    for raw, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                     ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(raw, esc)
    return text


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def _points(spec: TypingSpec, t: dict[str, str]) -> list[dict[str, Any]]:
    lo, hi = spec.scale_min, spec.scale_max
    if not (float(lo).is_integer() and float(hi).is_integer()):
        from ..errors import InputError

        raise InputError(code="problem_form_scale_points", values={"scale": f"{lo:g}–{hi:g}"})
    values = list(range(int(lo), int(hi) + 1))
    labels = dict(spec.scale_labels)
    study = bool(labels)  # the study's own words (else the page's)
    if not labels:
        labels = {values[0]: t["agree_low"], values[-1]: t["agree_high"]}
    return [{"value": v, "label": labels.get(v, ""), "study": study} for v in values]


def render_typing_html(tool: str | Path | TypingSpec, *, lang: str | None = None) -> str:
    """The web form as one HTML string (see :func:`write_typing_html`)."""
    spec = tool if isinstance(tool, TypingSpec) else load_typing_spec(tool)
    lang = lang or (spec.language if spec.language in ("en", "sv") else "en")
    spec = spec.in_language(lang)  # the type names and taglines the tool generated, in lang
    t = ui_text(lang)
    model = spec.model_dict()
    # a name or tagline the analyst wrote is the study's words: marked with the study's language
    study_lang = spec.language if spec.language and spec.language != lang else ""
    for ty in model["types"]:
        ours_name, ours_tagline = spec.generated(ty["type_id"])
        ty["name_lang"] = "" if ours_name else study_lang
        ty["tagline_lang"] = "" if ours_tagline else study_lang
    points = _points(spec, t)
    n = len(spec.items)
    data = dict(model, lang=lang, min_answered=default_min_answered(n),
                ui={k: t[k] for k in ("no_answers", "answered", "unanswered_note", "too_few")})
    # the scale's width as a CSS rule, not an inline style (the CSP forbids those)
    css = _CSS + f".scale{{--n:{len(points)}}}"
    csp = (f"default-src 'none'; script-src {_sha256(_JS)}; style-src {_sha256(css)}; "
           "img-src 'none'; font-src 'none'; connect-src 'none'; form-action 'none'; "
           "base-uri 'none'")
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    return env.from_string(_TEMPLATE).render(
        lang=lang,
        csp=csp,
        css=jinja2.utils.markupsafe.Markup(css),
        js=jinja2.utils.markupsafe.Markup(_JS),
        data_json=jinja2.utils.markupsafe.Markup(_json_for_script(data)),
        t=t,
        study=spec.study,
        # the study's words are marked with their own language when the page's differs
        sl=jinja2.utils.markupsafe.Markup(' lang="{}"').format(spec.language)
        if spec.language and spec.language != lang else "",
        intro=t["form_intro"].format(n=n, m=default_min_answered(n)),
        caution=t["weak_evidence"] if spec.weak_evidence else "",
        questions=[
            {"index": j, "id": item, "text": text or item,
             "counter": t["statement"].format(i=j + 1, n=n)}
            for j, (item, text) in enumerate(zip(spec.items, model["texts"]))
        ],
        points=points,
        types=model["types"],
    )


def write_typing_html(tool: str | Path | TypingSpec, path: str | Path, lang: str | None = None) -> Path:
    """Write the typing tool as one self-contained HTML form (atomically).

    Parameters
    ----------
    tool : path or TypingSpec
        A discovery folder, a ``typing_tool.yaml`` or a loaded spec
        (:func:`~behaviortypes.deliver.load_typing_spec`).
    path : path
        The ``.html`` file to write.
    lang : {"en", "sv"}, optional
        Language of the page's own text (default: the study's language, else English).
        Statements, scale labels and the type names and taglines the analyst wrote are
        shown as the study wrote them (marked with the study's ``lang``); names and
        taglines the tool suggested follow ``lang`` (:meth:`TypingSpec.in_language`).

    Returns
    -------
    Path

    Notes
    -----
    The page exposes ``window.typingTool.items`` (statement ids in order) and
    ``window.typingTool.score({item_id: value})`` returning ``{type_id, type_name,
    tagline, probability, probabilities}`` (``probabilities`` keyed by type id),
    computed as :meth:`TypingTool.score` does: a missing (``null``, empty or absent)
    answer counts as the survey mean of the statement; a non-number or an answer
    outside the scale throws.
    """
    return write_text(path, render_typing_html(tool, lang=lang))
