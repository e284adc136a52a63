"""Produce out-of-fold P(correct) on trainval (5 deterministic folds; kNN uses leave-one-out)
and test P (model fitted on full trainval) for several estimators. Cached in $MOM_ANALYSIS_CACHE/*.npz"""
import os, sys, time
import numpy as np
from common import *
from sklearn.linear_model import LogisticRegression

os.makedirs(CACHE, exist_ok=True)
tv = load('trainval.jsonl'); te = load('final_test.jsonl'); names = tv['names']; M = len(names)
N = len(tv['texts'])
rng = np.random.RandomState(7); fold = rng.permutation(N) % 5
prior = tv['Y'].mean(0)


def save(name, oof, test):
    np.savez(CACHE + '/%s.npz' % name, oof=oof, test=test)


def topk_sorted(S, K):
    idx = np.argpartition(-S, K - 1, axis=1)[:, :K]
    sims = np.take_along_axis(S, idx, 1)
    o = np.argsort(-sims, 1)
    return np.take_along_axis(idx, o, 1), np.take_along_axis(sims, o, 1)


def knn_from_top(idx, sims, Ytr, prior, k, alpha, pw):
    i = idx[:, :k]; w = np.clip(sims[:, :k], 0, None) ** pw
    P = np.einsum('qk,qkm->qm', w, Ytr[i]) + alpha * prior[None]
    return P / np.maximum(w.sum(1) + alpha, 1e-9)[:, None]


what = sys.argv[1:] or ['knn', 'lr', 'cluster']
feats = {}
for fam in [('word12',), ('char35',), ('word12', 'char35')]:
    F = Feats(fam)
    feats[fam] = (F.fit_transform(tv['texts']), F.transform(te['texts']))

if 'knn' in what:
    K = 1600
    for fam, (X, Xte) in feats.items():
        t = time.time()
        S = (X @ X.T).toarray().astype(np.float32); np.fill_diagonal(S, -1)
        idx, sims = topk_sorted(S, K); del S
        St = (Xte @ X.T).toarray().astype(np.float32)
        idt, simt = topk_sorted(St, K)
        np.savez(CACHE + '/top_%s.npz' % '_'.join(fam), idx=idx, sims=sims, idt=idt, simt=simt)
        print('knn top cached', fam, time.time() - t, flush=True)

if 'lr' in what:
    for fam in [('word12',), ('word12', 'char35')]:
        X, Xte = feats[fam]
        for C in [0.3, 1, 3, 10]:
            t = time.time()
            oof = np.zeros((N, M), np.float32); test = np.zeros((len(te['texts']), M), np.float32)
            for f in range(-1, 5):
                trm = fold != f
                for j in range(M):
                    y = tv['Y'][trm, j]
                    lr = LogisticRegression(C=C, solver='liblinear', max_iter=200)
                    lr.fit(X[trm], y)
                    if f == -1:
                        test[:, j] = lr.predict_proba(Xte)[:, 1]
                    else:
                        oof[fold == f, j] = lr.predict_proba(X[fold == f])[:, 1]
            save('lr_%s_C%g' % ('_'.join(fam), C), oof, test)
            print('lr', fam, C, time.time() - t, flush=True)

if 'cluster' in what:
    # soft-cluster router: P(correct_m|x) = sum_c p(c|x) * acc_m(c), c = dataset or task (true labels
    # only used for TRAINING the classifier; at routing time only text is used)
    X, Xte = feats[('word12', 'char35')]
    for key in ['ds', 'task']:
        for C in ([3, 10, 30] if key == 'ds' else [10]):
            oof = np.zeros((N, M), np.float32); test = np.zeros((len(te['texts']), M), np.float32)
            acc_cls = []
            for f in range(-1, 5):
                trm = fold != f
                lab = tv[key][trm]
                cls = np.unique(lab)
                A = np.stack([(tv['Y'][trm][lab == c].sum(0) + 5 * prior) / ((lab == c).sum() + 5) for c in cls])
                lr = LogisticRegression(C=C, solver='lbfgs', max_iter=300)
                lr.fit(X[trm], lab)
                if f == -1:
                    pc = lr.predict_proba(Xte); test[:] = pc @ A
                    acc_cls.append(('test', (lr.classes_[pc.argmax(1)] == te[key]).mean()))
                else:
                    pc = lr.predict_proba(X[fold == f]); oof[fold == f] = pc @ A
                    acc_cls.append((f, (lr.classes_[pc.argmax(1)] == tv[key][fold == f]).mean()))
            save('cluster_%s_C%g' % (key, C), oof, test)
            print('cluster', key, C, 'classifier acc', acc_cls, flush=True)
