"""Builds spi_shift.csv.gz, the real-data case of tests/test_label_shift.py (trial 3).

SAPA spi (psychTools; Condon 2018, GPL like psych): 4,000 people, 70 Big Five statements.
The trial built from it a customer base ``customers_rich.csv`` (age, sex, education,
health, exer, smoke, wellness from spi; five noisy trait proxies = trait score + noise) and
a survey of 1,835 people selected on education and age, discovered into 4 types
(``out/sample2``). This script stores, per person, the base's CRM columns, the discovered
type of the surveyed (``survey_type``, blank for the others) and the "truth": the type
probabilities of a 70-statement multinomial logistic classifier trained on the surveyed
and applied to all 4,000 (``true_p_*``; 82 % cross-validated accuracy). It reads the
trial's folder (/tmp/trial3), which is not part of the repository; the output is.
Run with scikit-learn 1.7 / pandas 2.
"""
import warnings

import pandas as pd
warnings.filterwarnings('ignore')
from sklearn.linear_model import LogisticRegression
a = pd.read_csv('/tmp/trial3/crm/base_all_answers.csv').set_index('respondent_id')
items = [c for c in a.columns if c.startswith('q_')]
asg = pd.read_csv('/tmp/trial3/out/sample2/assignments.csv').set_index('respondent_id')
resp = pd.read_csv('/tmp/trial3/surveys/sample/responses.csv', usecols=['respondent_id', 'customer_id']).set_index('respondent_id')
Xall = a[items].fillna(a[items].median())
m = LogisticRegression(C=0.1, max_iter=5000).fit(Xall.loc[asg.index], asg.type_id)
P = m.predict_proba(Xall)
cust = 'C' + (a.index.str[1:].astype(int) + 99999).astype(str)
crm = pd.read_csv('/tmp/trial3/crm/customers_rich.csv').set_index('customer_id')
out = crm.loc[cust].rename_axis('customer_id').reset_index()
for j, t in enumerate(m.classes_):
    out[f'true_p_{t}'] = P[:, j].round(3)
st = pd.Series(asg.type_id.values, index=resp.loc[asg.index, 'customer_id'].values)
out['survey_type'] = out['customer_id'].map(st).astype('Int64')
print(out.shape, out.survey_type.notna().sum(), out[[f'true_p_{t}' for t in m.classes_]].mean().round(4).to_dict())
out.to_csv('/work/wt/shift/tests/data/spi_shift/spi_shift.csv.gz', index=False, compression={'method': 'gzip', 'mtime': 0})
