# The SAPA Personality Inventory's 70 Big Five statements (R psychTools `spi`, Condon 2017)
# and R psych's retention numbers for them. Run from the repository root:
#
#     Rscript tests/data/real/make_spi.R /path/to/spi.rda /path/to/spi.dictionary.rda
#
# The .rda files are psychTools' own (github.com/cran/psychTools, data/, version 2.5.3).
# Writes tests/data/real/spi_b5.csv.gz (4,000 x 70, 1-6, NA = missing; the items as
# psychTools keys them, reverse-worded ones NOT keyed back) and spi_reference.json.
suppressPackageStartupMessages(library(psych))
options(mc.cores = 1, warn = 1)
args <- commandArgs(trailingOnly = TRUE)
load(args[1]); load(args[2])
b5 <- rownames(spi.dictionary)[!is.na(spi.dictionary$B5)]
x <- spi[, b5]
here <- "tests/data/real"
gz <- gzfile(file.path(here, "spi_b5.csv.gz"), "w")
write.csv(x, gz, row.names = FALSE, na = "")
close(gz)
set.seed(42)
pa20 <- fa.parallel(x, fa = "both", n.iter = 20, quant = .95, plot = FALSE)
set.seed(42)
pa200 <- fa.parallel(x, fa = "both", n.iter = 200, quant = .95, plot = FALSE)
map <- VSS(x, n = 20, plot = FALSE)$map
out <- sprintf('{"spi_b5": {"n": %d, "p": %d, "pa_nfact": %d, "pa_nfact_200": %d, "map_nfact": %d, "R": "%s", "psych": "%s", "domains": {%s}}}\n',
               nrow(x), ncol(x), pa20$nfact, pa200$nfact, which.min(map),
               R.version.string, packageVersion("psych"),
               paste(sprintf('"%s": "%s"', b5, spi.dictionary[b5, "B5"]), collapse = ", "))
cat(out, file = file.path(here, "spi_reference.json"))
cat(out)
