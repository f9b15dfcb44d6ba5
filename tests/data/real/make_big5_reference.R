# R psych's numbers for the IPIP Big-Five correlation matrix (big5_ipip_corr.csv).
#
# Run from the repository root (needs R with psych and GPArotation; jsonlite is not needed):
#
#     Rscript tests/data/real/make_big5_reference.R
#
# Writes tests/data/real/big5_ipip_reference.json, read by tests/test_retention_real.py.
# psych as a methodologist would call it on a correlation matrix (n.obs = 19,532):
#
#   fa.parallel(R, n.obs, fa = "fa", n.iter = 20, quant = .95)  # psych's defaults (seed 1)
#   VSS(R, n = 12, n.obs)$map                                   # Velicer's MAP
#   fa(R, nfactors = k, n.obs, fm = "minres", rotate = "oblimin")  # k = 5..10
#
# and, per k, the statements per factor that load |λ| >= .25 on it as their main factor
# (the substance check of behaviortypes.factors.FactorModel, counted on psych's loadings).

suppressPackageStartupMessages(library(psych))
options(mc.cores = 1, warn = 1)
here <- "tests/data/real"
R <- as.matrix(read.csv(file.path(here, "big5_ipip_corr.csv"), row.names = 1, check.names = FALSE))
n_obs <- 19532

set.seed(1)
pa <- fa.parallel(R, n.obs = n_obs, fa = "fa", n.iter = 20, quant = .95, plot = FALSE)
v <- VSS(R, n = 12, n.obs = n_obs, plot = FALSE)
salient <- function(k) {
  L <- abs(unclass(fa(R, nfactors = k, n.obs = n_obs, fm = "minres", rotate = "oblimin")$loadings))
  main <- apply(L, 1, which.max)
  ok <- L[cbind(seq_len(nrow(L)), main)] >= .25
  vapply(seq_len(k), function(f) sum(main == f & ok), 0)
}
ks <- 5:10
sal <- lapply(ks, salient)
fmt <- function(x) paste0("[", paste(sprintf("%.10g", x), collapse = ","), "]")
json <- paste0(
  '{"R": "', R.version.string, '", "psych": "', packageVersion("psych"), '", "n_obs": ', n_obs,
  ', "pa_nfact": ', pa$nfact, ', "map_nfact": ', which.min(v$map),
  ', "fa_values": ', fmt(pa$fa.values[1:12]),
  ', "salient": {', paste0('"', ks, '": ', vapply(sal, fmt, ""), collapse = ", "), "}}\n")
writeLines(json, file.path(here, "big5_ipip_reference.json"))
cat(json)
