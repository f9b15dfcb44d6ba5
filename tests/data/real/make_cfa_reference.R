# lavaan's CFA fit with missing answers (full-information ML), for tests/test_cfa_fiml.py.
#
# Run from the repository root (needs R with lavaan):
#
#     Rscript tests/data/real/make_cfa_reference.R
#
# Writes tests/data/real/cfa_reference.json. CI has no R: the tests read the JSON.
# Models: psych's bfi, the five designed traits of five statements each (all 2,800
# respondents, 364 of them with a missing answer), with missing = "ml" and "listwise";
# psych's msq, four mood scales of 5-7 adjectives (3,893 respondents with an answer,
# 1,885 complete; up to 47 % missing per adjective), missing = "ml". estimator = "ML".

suppressPackageStartupMessages(library(lavaan))
here <- "tests/data/real"
num <- function(x) sprintf("%.10g", x)
measures <- c("npar", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr", "logl",
              "unrestricted.logl", "ntotal")
one <- function(model, data, missing) {
  f <- cfa(model, data = data, missing = missing, estimator = "ML")
  fm <- fitMeasures(f, measures)
  paste0("{", paste0('"', names(fm), '": ', num(fm), collapse = ", "), "}")
}
bfi <- read.csv(gzfile(file.path(here, "bfi.csv.gz")))
bfi_model <- paste(sapply(c("A", "C", "E", "N", "O"), function(t)
  paste0(t, " =~ ", paste0(t, 1:5, collapse = " + "))), collapse = "\n")
msq <- read.csv(gzfile(file.path(here, "msq.csv.gz")), check.names = FALSE)
names(msq) <- gsub(".", "_", names(msq), fixed = TRUE)
msq_model <- "EA =~ active + energetic + vigorous + wakeful + wide_awake + full_of_pep + lively
TI =~ sleepy + tired + drowsy + sluggish + idle
TA =~ tense + jittery + fearful + nervous + clutched_up + afraid + scared
CA =~ calm + relaxed + at_ease + at_rest + placid + serene + tranquil"
out <- paste0('{\n "versions": {"R": "', getRversion(), '", "lavaan": "', packageVersion("lavaan"), '"},\n',
              ' "bfi_ml": ', one(bfi_model, bfi, "ml"), ',\n',
              ' "bfi_listwise": ', one(bfi_model, bfi, "listwise"), ',\n',
              ' "msq_ml": ', one(msq_model, msq, "ml"), ',\n',
              ' "msq_model": ', paste0('"', gsub("\n", "\\\\n", msq_model), '"'), '\n}\n')
writeLines(out, file.path(here, "cfa_reference.json"))
