"""User-facing text of the typing-tool deliverables, in English and Swedish.

Every word the web form and the workbook show that does not come from the study
itself (statements, type names, taglines, scale labels) is here, except the weak-evidence
caution, which is the report catalogue's ``weak_evidence_types`` (one sentence, one source).
"""

from __future__ import annotations

import math

from typing import Any

__all__ = ["LANGS", "ui_text", "agreement_note", "needed_sentence"]

LANGS = ("en", "sv")

_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "Which type are you?",
        "form_intro": "Answer the {n} statements below. The type is shown once you have answered "
        "{m} of them, and updates with every answer.",
        "agree_low": "Disagree completely",
        "agree_high": "Agree completely",
        "statement": "Statement {i} of {n}",
        "result": "Result",
        "no_answers": "No statements answered yet.",
        "answered": "{a} of {n} statements answered.",
        "unanswered_note": "An unanswered statement counts as the average answer of the survey, "
        "so the result is less certain.",
        "too_few": "{a} of {n} statements answered; a type needs at least {m}",
        "probability": "Probability",
        "all_types": "Probability of each type",
        "type": "Type",
        "reset": "Clear answers",
        "offline": "This page works offline: nothing you answer leaves this device.",
        "agreement_ok": "In the survey of {n_resp} respondents, these {k} statements give the same type "
        "as the full questionnaire for {agreement} of respondents (cross-validated; target {target}).",
        "agreement_low": "Below target: in the survey of {n_resp} respondents, these {k} statements "
        "give the same type as the full questionnaire for only {agreement} of respondents "
        "(cross-validated; target {target}).",
        "agreement_ok_one": "In the survey of {n_resp} respondents, this one statement gives the same "
        "type as the full questionnaire for {agreement} of respondents (cross-validated; target {target}).",
        "agreement_low_one": "Below target: in the survey of {n_resp} respondents, this one statement "
        "gives the same type as the full questionnaire for only {agreement} of respondents "
        "(cross-validated; target {target}).",
        "needed": " {needed} statements would reach the target ({needed_agreement}).",
        "never": " Even all {available} survey statements reach only {best}.",
        "never_all": " Even all the survey's statements reach only {best}.",
        "never_is_all": " These are all the survey's {available} statements: there is no longer "
        "list that could reach the target.",
        "never_any": " No number of the survey's {available} statements reaches the target.",
        "never_any_all": " No number of the survey's statements reaches the target.",
        "not_fresh": " Picked on these respondents, {reach} statements reach the target (at best "
        "{best_selection}), but checked on fresh folds, as the agreement above is, {reach} to "
        "{checked} of the {available} statements agree for at most {best_fresh}; longer lists "
        "were not checked.",
        "not_fresh_all": " Picked on these respondents, {reach} statements reach the target (at "
        "best {best_selection}), but checked on fresh folds, as the agreement above is, {reach} to "
        "all {available} statements agree for at most {best_fresh}.",
        "more_than": " The target is not reached with up to {checked} of {available} statements "
        "checked; longer lists were not checked.",
        "more_than_all": " The target is not reached with up to {checked} statements checked; "
        "longer lists were not checked.",
        "unknown_needed": " Re-run the analysis to learn how many statements would reach it.",
        "footer": "Typing tool made with behaviortypes.",
        # workbook
        "help_sheet": "How to use",
        "wb_title": "Typing tool: {study}",
        "wb_steps": "How to use this workbook",
        "wb_step1": "1. In sheet '{answers}', enter one respondent per row from row 2: an id in column A, "
        "then the answer to each statement (row 1 holds the statement ids; hover over an id "
        "to read the statement).",
        "wb_step2": "2. Answers are numbers from {min} to {max} ({scale}). Leave a cell empty when "
        "a statement was not answered: it then counts as the survey's average answer. A type needs "
        "at least {need} of the {n} answers.",
        "wb_step3": "3. Sheet '{types}' shows each respondent's type and the probability of every "
        "type, recalculated automatically. Empty rows stay empty. Printed, it shows the rows "
        "up to the last one with answers in Excel; in LibreOffice select those rows first "
        "(Format → Print Ranges → Define), or it prints every empty row.",
        "wb_step4": "4. The workbook has room for {rows} respondents. Copy values only "
        "(Paste special → Values) so that the formulas stay intact; use the "
        "command `behaviortypes typing-tool --score` for larger files.",
        "wb_step5": "5. Sheet '{model}' holds the weights of the typing tool; do not change them.",
        "wb_bad": "check the answers (must be {min}–{max} or empty)",
        "wb_bad_whole": "check the answers (must be whole numbers {min}–{max} or empty)",
        "wb_step2_codes": " The survey's code for no answer ({codes}) counts as unanswered too.",
        "wb_statements": "The statements",
        "wb_types": "The types",
        "wb_id": "Id",
        "wb_text": "Statement",
        "wb_scale": "Scale",
        "wb_name": "Name",
        "wb_tagline": "In short",
        "wb_agreement": "How accurate is it?",
        "wb_model_note": "Model: score = intercept + sum of weight × answer (an empty answer counts "
        "as the mean); probability = exp(score − highest score) / sum over types; the type "
        "is the one with the highest score.",
        "wb_intercept": "intercept",
        "wb_mean": "mean (used for an empty answer)",
        "wb_too_few": "too few answers: a type needs at least {m} of the {n} statements",
        "wb_min_answered": "fewest answers for a type",
        # sheet names and column headers of the workbook
        "sh_answers": "answers",
        "sh_types": "types",
        "sh_model": "model",
        "sh_calc": "calc",
        "h_id": "respondent_id",
        "h_type_id": "type_id",
        "h_type_name": "type_name",
        "h_tagline": "tagline",
        "h_scale": "scale",
    },
    "sv": {
        "title": "Vilken typ är du?",
        "form_intro": "Svara på de {n} påståendena nedan. Typen visas när du har svarat på {m} av "
        "dem och uppdateras för varje svar.",
        "agree_low": "Instämmer inte alls",
        "agree_high": "Instämmer helt",
        "statement": "Påstående {i} av {n}",
        "result": "Resultat",
        "no_answers": "Inga påståenden besvarade ännu.",
        "answered": "{a} av {n} påståenden besvarade.",
        "unanswered_note": "Ett obesvarat påstående räknas som enkätens genomsnittliga svar, "
        "så resultatet blir osäkrare.",
        "too_few": "{a} av {n} påståenden besvarade; minst {m} behövs för en typ",
        "probability": "Sannolikhet",
        "all_types": "Sannolikhet för varje typ",
        "type": "Typ",
        "reset": "Rensa svaren",
        "offline": "Sidan fungerar utan internet: inget du svarar lämnar den här enheten.",
        "agreement_ok": "I enkäten med {n_resp} svarande ger dessa {k} påståenden samma typ som hela "
        "enkäten för {agreement} av de svarande (korsvaliderat; mål {target}).",
        "agreement_low": "Under målet: i enkäten med {n_resp} svarande ger dessa {k} påståenden samma "
        "typ som hela enkäten för bara {agreement} av de svarande (korsvaliderat; mål {target}).",
        "agreement_ok_one": "I enkäten med {n_resp} svarande ger det här enda påståendet samma typ som "
        "hela enkäten för {agreement} av de svarande (korsvaliderat; mål {target}).",
        "agreement_low_one": "Under målet: i enkäten med {n_resp} svarande ger det här enda påståendet "
        "samma typ som hela enkäten för bara {agreement} av de svarande (korsvaliderat; mål {target}).",
        "needed": " {needed} påståenden skulle nå målet ({needed_agreement}).",
        "never": " Även alla {available} påståenden i enkäten når bara {best}.",
        "never_all": " Även alla påståenden i enkäten når bara {best}.",
        "never_is_all": " Det är alla enkätens {available} påståenden: det finns ingen längre lista "
        "som kunde nå målet.",
        "never_any": " Inget antal av enkätens {available} påståenden når målet.",
        "never_any_all": " Inget antal av enkätens påståenden når målet.",
        "not_fresh": " Valda på dessa svarande når {reach} påståenden målet (som bäst "
        "{best_selection}), men prövade på nya delar av urvalet, som andelen ovan, ger {reach} till "
        "{checked} av de {available} påståendena samma typ för högst {best_fresh}; längre listor "
        "prövades inte.",
        "not_fresh_all": " Valda på dessa svarande når {reach} påståenden målet (som bäst "
        "{best_selection}), men prövade på nya delar av urvalet, som andelen ovan, ger {reach} till "
        "alla {available} påståendena samma typ för högst {best_fresh}.",
        "more_than": " Målet nås inte med upp till {checked} av {available} påståenden som prövades; "
        "längre listor prövades inte.",
        "more_than_all": " Målet nås inte med upp till {checked} påståenden som prövades; "
        "längre listor prövades inte.",
        "unknown_needed": " Kör analysen igen för att se hur många påståenden som skulle nå det.",
        "footer": "Typningsverktyg gjort med behaviortypes.",
        "help_sheet": "Så använder du",
        "wb_title": "Typningsverktyg: {study}",
        "wb_steps": "Så använder du arbetsboken",
        "wb_step1": "1. I bladet '{answers}' skriver du en svarande per rad från rad 2: ett id i kolumn A "
        "och sedan svaret på varje påstående (rad 1 har påståendenas id; håll muspekaren över "
        "ett id för att läsa påståendet).",
        "wb_step2": "2. Svaren är tal från {min} till {max} ({scale}). Lämna cellen tom när ett "
        "påstående inte besvarats: den räknas då som enkätens genomsnittliga svar. En typ kräver "
        "minst {need} av de {n} svaren.",
        "wb_step3": "3. Bladet '{types}' visar varje svarandes typ och sannolikheten för varje typ, "
        "omräknat automatiskt. Tomma rader förblir tomma. Utskrivet visar det raderna fram "
        "till den sista med svar i Excel; i LibreOffice markerar du de raderna först "
        "(Format → Utskriftsområden → Definiera), annars skrivs varje tom rad ut.",
        "wb_step4": "4. Arbetsboken har plats för {rows} svarande. Klistra in endast värden "
        "(Klistra in special → Värden) så att formlerna behålls; använd kommandot "
        "`behaviortypes typing-tool --score` för större filer.",
        "wb_step5": "5. Bladet '{model}' innehåller typningsverktygets vikter; ändra dem inte.",
        "wb_bad": "kontrollera svaren (ska vara {min}–{max} eller tomma)",
        "wb_bad_whole": "kontrollera svaren (ska vara heltal {min}–{max} eller tomma)",
        "wb_step2_codes": " Enkätens kod för uteblivet svar ({codes}) räknas också som obesvarad.",
        "wb_statements": "Påståendena",
        "wb_types": "Typerna",
        "wb_id": "Id",
        "wb_text": "Påstående",
        "wb_scale": "Skala",
        "wb_name": "Namn",
        "wb_tagline": "I korthet",
        "wb_agreement": "Hur träffsäkert är det?",
        "wb_model_note": "Modell: poäng = konstant + summan av vikt × svar (ett tomt svar räknas som "
        "medelvärdet); sannolikhet = exp(poäng − högsta poäng) / summan över typerna; typen är "
        "den med högst poäng.",
        "wb_intercept": "konstant",
        "wb_mean": "medelvärde (används för ett tomt svar)",
        "wb_too_few": "för få svar: en typ kräver minst {m} av de {n} påståendena",
        "wb_min_answered": "minsta antal svar för en typ",
        "sh_answers": "svar",
        "sh_types": "typer",
        "sh_model": "modell",
        "sh_calc": "beräkning",
        "h_id": "svarsid",
        "h_type_id": "typ_id",
        "h_type_name": "typnamn",
        "h_tagline": "i korthet",
        "h_scale": "skala",
    },
}


def ui_text(lang: str) -> dict[str, str]:
    """The UI strings of one language (``"en"`` or ``"sv"``)."""
    if lang not in _TEXT:
        from ..errors import InputError

        raise InputError(code="problem_deliver_language", values={"lang": repr(lang)}, value=lang)
    from ..texts import load_texts

    # the weak-evidence caution is the report catalogue's sentence (one source, LEFT21)
    return dict(_TEXT[lang]) | {"weak_evidence": load_texts(lang)["weak_evidence_types"]}


def _pct(value: float, lang: str, digits: int = 1) -> str:
    text = f"{100 * value:.{digits}f}"
    if lang == "sv":
        return text.replace(".", ",") + "\u00a0%"
    return text + "%"


def _count(value: Any, lang: str) -> str:
    """A count as the report writes it: ``1,116`` (en), ``1 116`` (sv, a narrow no-break
    space); anything else as it is (user trial 12: "I enkäten med 1116 svarande")."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return str(value)
    text = f"{int(round(value)):,}"
    return text.replace(",", "\u202f") if lang == "sv" else text


def agreement_digits(value: float, target: float | None) -> int:
    """Decimals that keep a below-target agreement visibly below it: 1, or 2 when one
    rounds it up to the target ("only 90.0% … target 90%" for 0.89951: user trial 11).
    Use with :func:`agreement_shown`, which rounds a below-target value down."""
    if target is None or value >= target or round(100 * value, 1) < round(100 * target, 1):
        return 1
    return 2


def agreement_shown(value: float, target: float | None) -> float:
    """``value`` rounded down at :func:`agreement_digits` decimals (of a percentage) when it is
    below ``target``, so that it never reads as the target (0.899999 → 89.99 %); else ``value``."""
    if target is None or value >= target:
        return value
    scale = 10 ** (2 + agreement_digits(value, target))
    return math.floor(value * scale) / scale


def agreement_note(info: dict[str, Any], lang: str) -> str:
    """One honest sentence (or two) on how well the statements reproduce the full assignment.

    Parameters
    ----------
    info : dict
        ``agreement``, ``target``, ``n_items``, ``n_respondents`` and, when the
        agreement is below target, ``needed`` (see
        :func:`behaviortypes.deliver.statements_needed`) or None. Any of ``needed``'s
        keys may be missing or None (a ``typing_tool.yaml`` written by an older version
        lacks ``n_available`` and ``checked_up_to``): the sentence then says less,
        never something untrue.
    lang : {"en", "sv"}
    """
    t = ui_text(lang)
    fmt = {
        "n_resp": _count(info.get("n_respondents") or "?", lang),
        "k": info["n_items"],
        "agreement": _pct(agreement_shown(info["agreement"], info.get("target")), lang,
                          agreement_digits(info["agreement"], info.get("target"))),
        "target": _pct(info["target"], lang, 0),
    }
    one = "_one" if info["n_items"] == 1 else ""  # "these 1 statements" (user trial 9)
    if info["agreement"] >= info["target"]:
        return t["agreement_ok" + one].format(**fmt)
    return t["agreement_low" + one].format(**fmt) + needed_sentence(
        info.get("needed"), lang, n_items=info.get("n_items"), agreement=info.get("agreement"))


def needed_sentence(needed: dict[str, Any] | None, lang: str, *, n_items: int | None = None,
                    agreement: float | None = None) -> str:
    """How many statements would reach the target, exactly as far as it was checked.

    The one wording of :func:`behaviortypes.deliver.statements_needed`'s result that
    ``discover``, the ``typing-tool`` command, the workbook and the report all use
    (with a leading space; "" never: without a result it says to re-run).

    Parameters
    ----------
    needed : dict or None
        :func:`behaviortypes.deliver.statements_needed`'s result (or the keys
        ``typing_tool.yaml`` records); any key may be missing (older files).
    lang : {"en", "sv"}
    n_items, agreement : optional
        The tool's own number of statements and its (fresh-fold) agreement, stated just
        before this sentence. When no length reaches the target, ``best_agreement`` is the
        selection agreement, a separate estimate: the sentence then never states a lower
        figure for all statements than the tool's own, and says nothing of "all
        statements" as more when the tool already uses them all.
    """
    t = ui_text(lang)
    if not needed:
        return t["unknown_needed"]
    if needed.get("n_needed") is not None:
        return t["needed"].format(
            needed=needed["n_needed"], needed_agreement=_pct(needed["agreement_needed"], lang)
        )
    checked, available = needed.get("checked_up_to"), needed.get("n_available")
    if checked is not None:
        # the selection agreement (on the folds the statements were picked on) reached the
        # target at reach_selection statements; the fresh-fold check of reach..checked did not
        reach, best_fresh = needed.get("reach_selection"), needed.get("best_fresh")
        if reach is not None and best_fresh is not None and available is not None:
            key = "not_fresh_all" if checked >= available else "not_fresh"
            return t[key].format(
                reach=reach, checked=checked, available=available,
                best_selection=_pct(needed["best_agreement"], lang), best_fresh=_pct(best_fresh, lang))
        if available is not None:
            return t["more_than"].format(checked=checked, available=available)
        return t["more_than_all"].format(checked=checked)
    best = needed.get("best_agreement")
    if best is None:
        return t["unknown_needed"]
    if n_items is not None and available is not None and n_items >= available:
        return t["never_is_all"].format(available=available)
    if agreement is not None and best <= agreement:  # two estimates: no lower number for more
        return t["never_any_all" if available is None else "never_any"].format(available=available)
    if available is None:  # recorded before n_available was
        return t["never_all"].format(best=_pct(best, lang))
    return t["never"].format(available=available, best=_pct(best, lang))
