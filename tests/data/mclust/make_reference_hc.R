# Reference merge sequences of mclust's hc() for tests/test_hc.py (the port in
# behaviortypes/segments/hc.py). Run from this directory: Rscript make_reference_hc.R
# Produced with R 4.2.2 and mclust 6.0.0 (Debian r-cran-mclust; versions.csv).
#
# Note: hc(X) without `use` agglomerates the data as they are (use = "VARS" is hc()'s
# default in mclust 6.0.0); it is mclustBIC()/Mclust() that pass mclust.options("hcUse")
# = "SVD". The <name>_hc.csv files of make_reference.R are therefore VARS partitions.
#
# For iris[,1:4], faithful, diabetes[,-1], banknote[,-1] and planted_k5_m6:
#   <name>_hc_svd.csv    hclass(hc(X, use = "SVD"), 1:9): the SVD partitions, G = 1..9
#   <name>_hcpairs.csv   the whole merge sequence of hc(X) (VARS) and hc(X, use = "SVD"):
#                        columns vars_i, vars_j, svd_i, svd_j (1-based group numbers)
#   bic_svd.csv          mclustBIC(X, G = 1:9) with its defaults (hc VVV on "SVD")
#   grid_hcpairs.csv     ties everywhere: hc() of the 7 x 6 integer grid
#                        as.matrix(expand.grid(x = 1:7, y = 1:6)) and of its 3-D version
#                        expand.grid(x = 1:4, y = 1:3, z = 1:3) (columns as above, 2-D then
#                        3-D stacked, with a column "set"); VARS only (SVD of a grid is a
#                        rotation whose rounding decides the ties)
suppressPackageStartupMessages(library(mclust))
options(digits = 17)
sets <- list()
for (name in c("iris", "faithful", "diabetes", "banknote"))
  sets[[name]] <- as.matrix(read.csv(paste0(name, "_data.csv")))
sets$planted_k5_m6 <- as.matrix(read.csv("planted_k5_m6.csv")[, -1])
bic_rows <- list()
for (name in names(sets)) {
  X <- sets[[name]]
  hv <- hc(X)
  hs <- hc(X, use = "SVD")
  part <- hclass(hs, 1:9)
  colnames(part) <- paste0("G", 1:9)
  write.csv(part, paste0(name, "_hc_svd.csv"), row.names = FALSE)
  write.csv(data.frame(vars_i = hv[1, ], vars_j = hv[2, ], svd_i = hs[1, ], svd_j = hs[2, ]),
            paste0(name, "_hcpairs.csv"), row.names = FALSE)
  b <- mclustBIC(X, G = 1:9)
  for (m in colnames(b)) for (g in 1:9)
    bic_rows[[length(bic_rows) + 1]] <- data.frame(data = name, model = m, G = g,
                                                   bic = sprintf("%.15g", b[as.character(g), m]))
}
write.csv(do.call(rbind, bic_rows), "bic_svd.csv", row.names = FALSE, quote = FALSE)

grid_rows <- list()
for (g in list(list(set = "grid2", X = as.matrix(expand.grid(x = 1:7, y = 1:6))),
               list(set = "grid3", X = as.matrix(expand.grid(x = 1:4, y = 1:3, z = 1:3))))) {
  storage.mode(g$X) <- "double"
  h <- hc(g$X)
  grid_rows[[length(grid_rows) + 1]] <- data.frame(set = g$set, i = h[1, ], j = h[2, ])
}
write.csv(do.call(rbind, grid_rows), "grid_hcpairs.csv", row.names = FALSE, quote = FALSE)
