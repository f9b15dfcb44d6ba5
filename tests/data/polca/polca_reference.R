# Reference numbers for tests/test_lca.py: R poLCA's latent class models on its own
# example data (carcinoma, values, election with missing answers kept: na.rm = FALSE).
# Run from this folder:  Rscript polca_reference.R
# Writes <data>.csv (the data as poLCA ships it) and polca_reference.json.
suppressPackageStartupMessages({library(poLCA); library(jsonlite)})
set.seed(20261203)
fit_one <- function(f, data, k, nrep, na.rm = TRUE) {
  m <- poLCA(f, data, nclass = k, nrep = nrep, maxiter = 5000, tol = 1e-12,
             na.rm = na.rm, verbose = FALSE, calc.se = FALSE)
  list(k = k, loglik = m$llik, bic = m$bic, aic = m$aic, npar = m$npar, N = m$N,
       Nobs = m$Nobs, shares = unname(m$P),
       # probs[[item]] is a k x C matrix (rows = classes, in the order of shares)
       probs = lapply(m$probs, function(p) unname(p)))
}
out <- list(R = R.version.string, poLCA = as.character(packageVersion("poLCA")),
            scatterplot3d = as.character(packageVersion("scatterplot3d")),
            MASS = as.character(packageVersion("MASS")), models = list())
data(carcinoma); data(values); data(election)
write.csv(carcinoma, "carcinoma.csv", row.names = FALSE)
write.csv(values, "values.csv", row.names = FALSE)
el <- election[, c("MORALG","CARESG","KNOWG","LEADG","DISHONG","INTELG",
                   "MORALB","CARESB","KNOWB","LEADB","DISHONB","INTELB")]
el[] <- lapply(el, as.integer)
write.csv(el, "election.csv", row.names = FALSE, na = "")
fc <- cbind(A, B, C, D, E, F, G) ~ 1
for (k in 1:4) out$models[[paste0("carcinoma_k", k)]] <- fit_one(fc, carcinoma, k, 50)
fv <- cbind(A, B, C, D) ~ 1
for (k in 1:3) out$models[[paste0("values_k", k)]] <- fit_one(fv, values, k, 50)
fe <- cbind(MORALG,CARESG,KNOWG,LEADG,DISHONG,INTELG,
            MORALB,CARESB,KNOWB,LEADB,DISHONB,INTELB) ~ 1
out$models[["election_k3"]] <- fit_one(fe, election, 3, 20, na.rm = FALSE)
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE), "polca_reference.json")
cat("done\n")
