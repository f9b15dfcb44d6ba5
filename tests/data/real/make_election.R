# R poLCA's `election` (2000 American National Election Study; Linzer & Lewis 2011) as
# tests/data/real/election.csv.gz: the 12 candidate-trait ratings as their codes 1-4
# (1 = "Extremely well" ... 4 = "Not well at all"), NA = missing; no other column.
# Run from the repository root: Rscript tests/data/real/make_election.R
# (R 4.2.2, poLCA 1.6.0.2)
library(poLCA)
data(election)
items <- c("MORALG", "CARESG", "KNOWG", "LEADG", "DISHONG", "INTELG",
           "MORALB", "CARESB", "KNOWB", "LEADB", "DISHONB", "INTELB")
x <- as.data.frame(lapply(election[, items], as.integer))
con <- gzfile("tests/data/real/election.csv.gz", "w")
write.csv(x, con, row.names = FALSE, na = "NA")
close(con)
