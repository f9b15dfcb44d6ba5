# Reference numbers from R's mclust for tests/test_shapes_mclust.py.
#
# Run from this directory:  Rscript make_reference.R
# (after `python tests/data/mclust/export_planted.py` has written planted_k5_m6.csv).
# Produced with R 4.2.2 and mclust 6.0.0 (Debian r-cran-mclust); the versions used are
# written to versions.csv. CI has no R: the tests read the CSV files written here.
#
# For every data set (iris[,1:4], faithful, diabetes[,-1], banknote[,-1] and the planted
# own-shape study):
#   <name>_data.csv  the data exactly as fitted (the public data sets; the planted
#                    study is planted_k5_m6.csv itself)
#   <name>_hc.csv    mclust's hierarchical starting partitions for G = 1..9
#                    (hc(X): VVV agglomeration of the data as they are -- hc()'s own
#                    default is use = "VARS"; mclustBIC()'s default "SVD" starts are in
#                    <name>_hc_svd.csv, make_reference_hc.R)
# and, one row per data set / model / G:
#   bic.csv          mclustBIC(X, G = 1:9): BIC of every model (NA when mclust's fit fails)
#   chosen.csv       Mclust(X, G = 1:9): the chosen model, G, BIC and log-likelihood
#   mstep.csv        from the hc partition for G = 3: the log-likelihood at mstep()'s
#                    parameters (one M-step, no EM) and me()'s converged log-likelihood
#                    with a tight tolerance (tol = 1e-10), and its iterations
#   weighted.csv     iris, G = 3 from the hc partition, weights 1, 2, 3 repeating:
#                    me.weighted()'s log-likelihood (tol = 1e-10)
suppressPackageStartupMessages(library(mclust))
options(digits = 17)

sets <- list()
sets$iris <- as.matrix(iris[, 1:4])
sets$faithful <- as.matrix(faithful)
data(diabetes, package = "mclust")
sets$diabetes <- as.matrix(diabetes[, -1])
data(banknote, package = "mclust")
sets$banknote <- as.matrix(banknote[, -1])
planted <- read.csv("planted_k5_m6.csv")
sets$planted_k5_m6 <- as.matrix(planted[, -1])

models <- mclust.options("emModelNames")
G_all <- 1:9
tight <- emControl(tol = c(1e-10, sqrt(.Machine$double.eps)))

bic_rows <- list(); chosen_rows <- list(); mstep_rows <- list()
for (name in names(sets)) {
  X <- sets[[name]]
  colnames(X) <- make.names(colnames(X))
  if (name != "planted_k5_m6")  # (the planted study is read from its own CSV)
    write.csv(X, paste0(name, "_data.csv"), row.names = FALSE)
  hcp <- hc(X)  # defaults: modelName "VVV", use "VARS" (the data as they are)
  part <- hclass(hcp, G_all)
  colnames(part) <- paste0("G", G_all)
  write.csv(part, paste0(name, "_hc.csv"), row.names = FALSE)

  b <- mclustBIC(X, G = G_all, initialization = list(hcPairs = hcp))
  for (m in models) for (g in G_all) {
    bic_rows[[length(bic_rows) + 1]] <- data.frame(
      data = name, model = m, G = g, bic = b[as.character(g), m])
  }
  fit <- Mclust(X, G = G_all, x = b)
  chosen_rows[[length(chosen_rows) + 1]] <- data.frame(
    data = name, model = fit$modelName, G = fit$G, bic = fit$bic, loglik = fit$loglik)

  z <- unmap(part[, "G3"])
  for (m in models) {
    ms <- mstep(data = X, modelName = m, z = z)
    ll_m <- tryCatch(do.call("estep", c(list(data = X), ms))$loglik, error = function(e) NA)
    me_fit <- me(data = X, modelName = m, z = z, control = tight)
    info <- attr(me_fit, "info")
    mstep_rows[[length(mstep_rows) + 1]] <- data.frame(
      data = name, model = m, G = 3, mstep_loglik = as.numeric(ll_m),
      me_loglik = as.numeric(if (is.null(me_fit$loglik)) NA else me_fit$loglik),
      me_iter = as.numeric(if (is.null(info)) NA else info[[1]]), row.names = NULL)
  }
}
fmt <- function(df) { df[] <- lapply(df, function(x) if (is.numeric(x)) sprintf("%.15g", x) else x); df }
write.csv(fmt(do.call(rbind, bic_rows)), "bic.csv", row.names = FALSE, quote = FALSE)
write.csv(fmt(do.call(rbind, chosen_rows)), "chosen.csv", row.names = FALSE, quote = FALSE)
write.csv(fmt(do.call(rbind, mstep_rows)), "mstep.csv", row.names = FALSE, quote = FALSE)

# survey weights: me.weighted on iris
X <- sets$iris
wts <- rep(c(1, 2, 3), length.out = nrow(X))
z <- unmap(hclass(hc(X), 3))
w_rows <- list()
for (m in models) {
  f <- tryCatch(me.weighted(data = X, modelName = m, z = z, weights = wts, control = tight,
                            warn = FALSE), error = function(e) NULL)
  w_rows[[length(w_rows) + 1]] <- data.frame(
    data = "iris", model = m, G = 3, loglik = if (is.null(f)) NA else f$loglik)
}
write.csv(fmt(do.call(rbind, w_rows)), "weighted.csv", row.names = FALSE, quote = FALSE)

write.csv(data.frame(package = c("R", "mclust"),
                     version = c(paste(R.version$major, R.version$minor, sep = "."),
                                 as.character(packageVersion("mclust")))),
          "versions.csv", row.names = FALSE, quote = FALSE)
