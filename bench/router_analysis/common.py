"""Shared helpers for the kNN / logistic router experiments.
Run with /usr/bin/python3 (Debian numpy/scipy/sklearn)."""
import json, math, os
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from scipy import sparse

CACHE = os.environ.get('MOM_ANALYSIS_CACHE', '/tmp/mom-router-analysis')
# trainval.jsonl, final_test.jsonl, no_logiqa.jsonl, logiqa.jsonl and the full file, made as in docs/training.md
L = os.environ.get('MOM_LABELS_DIR', '/tmp/labels').rstrip('/') + '/'


def load(name):
    rows = [json.loads(l) for l in open(L + name)]
    texts = [r['text'] for r in rows]
    ds = np.array([r['dataset'] for r in rows])
    task = np.array([r['task'] for r in rows])
    names = [m['name'] for m in rows[0]['models']]
    Y = np.zeros((len(rows), len(names)), dtype=np.float32)
    for i, r in enumerate(rows):
        for j, m in enumerate(r['models']):
            assert m['name'] == names[j]
            Y[i, j] = 1.0 if (m.get('correct') is True and not m.get('absent')) else 0.0
    return dict(texts=texts, ds=ds, task=task, Y=Y, names=names)


def subset(d, idx):
    return dict(texts=[d['texts'][i] for i in idx], ds=d['ds'][idx], task=d['task'][idx],
                Y=d['Y'][idx], names=d['names'])


def split_val(n, frac=0.1, seed=12345):
    """deterministic 10% validation split"""
    rng = np.random.RandomState(seed)
    p = rng.permutation(n)
    nv = int(round(n * frac))
    return np.sort(p[nv:]), np.sort(p[:nv])


def vectorizer(kind='word12'):
    # sklearn defaults: lowercase, token_pattern r"(?u)\b\w\w+\b",
    # smooth idf: idf = ln((1+N)/(1+df)) + 1, l2 norm
    if kind == 'word12':
        return TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1)
    if kind == 'word1':
        return TfidfVectorizer(ngram_range=(1, 1), sublinear_tf=True, min_df=1)
    if kind == 'char35':
        return TfidfVectorizer(analyzer='char_wb', ngram_range=(3, 5), sublinear_tf=True, min_df=2)
    raise ValueError(kind)


class Feats:
    """fit one or more tf-idf vectorizers; output is hstack of blocks, renormalised"""
    def __init__(self, kinds=('word12',)):
        self.vs = [vectorizer(k) for k in kinds]

    def fit_transform(self, texts):
        X = sparse.hstack([v.fit_transform(texts) for v in self.vs]).tocsr()
        return _l2(X)

    def transform(self, texts):
        X = sparse.hstack([v.transform(texts) for v in self.vs]).tocsr()
        return _l2(X)


def _l2(X):
    n = np.sqrt(np.asarray(X.multiply(X).sum(1)).ravel())
    n[n == 0] = 1
    return sparse.diags(1 / n) @ X


def knn_probs(S, Ytr, prior, k, alpha, power=1.0):
    """S: dense (nq, ntr) similarity; returns (nq, M) smoothed P(correct), plus maxsim, meansim"""
    nq = S.shape[0]
    k = min(k, S.shape[1])
    idx = np.argpartition(-S, k - 1, axis=1)[:, :k]
    sims = np.take_along_axis(S, idx, 1)
    w = np.clip(sims, 0, None) ** power
    P = np.einsum('qk,qkm->qm', w, Ytr[idx]) + alpha * prior[None, :]
    P /= (w.sum(1) + alpha)[:, None]
    return P, sims.max(1), sims.mean(1)


def policy(P, fb, short, margin):
    """fallback fb; switch to best-P in shortlist if P beats P[fb] by > margin"""
    short = np.asarray(short)
    Ps = P[:, short]
    best = short[Ps.argmax(1)]
    gain = Ps.max(1) - P[:, fb]
    return np.where(gain > margin, best, fb)


def acc_of(picks, Y):
    return Y[np.arange(len(picks)), picks].mean()


def paired(picks, Y, base):
    a = Y[np.arange(len(picks)), picks]
    b = Y[:, base]
    won = int(((a == 1) & (b == 0)).sum()); lost = int(((a == 0) & (b == 1)).sum())
    # two-sided sign test
    n = won + lost
    if n == 0:
        return won, lost, 1.0
    kk = min(won, lost)
    p = sum(math.comb(n, i) for i in range(0, kk + 1)) / 2 ** n * 2
    return won, lost, min(1.0, p)


def se(acc, n):
    return math.sqrt(acc * (1 - acc) / n)
