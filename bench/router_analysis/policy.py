"""Tune router hyper-parameters + policy (shortlist, margin) on out-of-fold predictions over trainval
('cv' = all 8032 OOF questions, or 'val10' = only the deterministic 10% val split), then report final_test
ONCE per configuration family."""
import itertools, glob, os, sys
import numpy as np
from common import *

tv = load('trainval.jsonl'); te = load('final_test.jsonl'); names = tv['names']
N = len(tv['texts']); _, va_i = split_val(N)
prior = tv['Y'].mean(0); order = np.argsort(-prior); fb = order[0]
base = te['Y'].mean(0).argmax(); bacc = te['Y'][:, base].mean()
SHORT = [2, 3, 5, 27]
MARG = [0, .01, .02, .04, .06, .08, .1, .15]
TUNE = sys.argv[1] if len(sys.argv) > 1 else 'cv'
tmask = np.ones(N, bool) if TUNE == 'cv' else np.isin(np.arange(N), va_i)
print('tuning on', TUNE, tmask.sum(), 'questions; fallback', names[fb],
      'fallback acc cv %.4f val10 %.4f test %.4f; best single test %.4f' % (
          tv['Y'][:, fb].mean(), tv['Y'][va_i, fb].mean(), te['Y'][:, fb].mean(), bacc))


def knnP(top, k, a, pw, test=False):
    idx, sims = (top['idt'], top['simt']) if test else (top['idx'], top['sims'])
    w = np.clip(sims[:, :k], 0, None) ** pw
    P = np.einsum('qk,qkm->qm', w, tv['Y'][idx[:, :k]]) + a * prior[None]
    return P / np.maximum(w.sum(1) + a, 1e-9)[:, None]


def tune_policy(oof):
    best = None
    for s, m in itertools.product(SHORT, MARG):
        pk = policy(oof, fb, order[:s], m)
        a_t = acc_of(pk[tmask], tv['Y'][tmask])
        if best is None or a_t > best[0] + 1e-12:
            best = (a_t, s, m, acc_of(pk, tv['Y']), acc_of(pk[va_i], tv['Y'][va_i]))
    return best


rows = []
def report(label, oof, test, extra=''):
    a_t, s, m, a_cv, a_v = tune_policy(oof)
    pk = policy(test, fb, order[:s], m)
    acc = acc_of(pk, te['Y']); w, l, p = paired(pk, te['Y'], base)
    line = '%-34s %-26s short=%-2d m=%-4g | cv %.4f val10 %.4f | test %.4f (se %.3f) d %+.4f won %3d lost %3d p=%.3f' % (
        label, extra, s, m, a_cv, a_v, acc, se(acc, len(pk)), acc - bacc, w, l, p)
    print(line, flush=True); rows.append(line)
    return pk


P_store = {}
# ---- kNN families
for fam in ['word12', 'char35', 'word12_char35']:
    top = np.load(CACHE + '/top_%s.npz' % fam)
    best = None
    for k, a, pw in itertools.product([10, 25, 50, 100, 200, 400, 800, 1600], [0, 3, 10, 30], [1, 2, 4]):
        P = knnP(top, k, a, pw)
        r = tune_policy(P)
        if best is None or r[0] > best[0]:
            best = (r[0], k, a, pw)
    _, k, a, pw = best
    oof, test = knnP(top, k, a, pw), knnP(top, k, a, pw, True)
    P_store['knn_' + fam] = (oof, test)
    report('knn ' + fam, oof, test, 'k=%d a=%g pow=%g' % (k, a, pw))

# ---- logistic / cluster families (C chosen on tuning set)
for pref in ['lr_word12_C', 'lr_word12_char35_C', 'cluster_ds_C', 'cluster_task_C']:
    fs = sorted(glob.glob(CACHE + '/%s*.npz' % pref))
    fs = [f for f in fs if os.path.basename(f)[len(pref):-4].replace('.', '').isdigit()]
    if not fs:
        continue
    best = None
    for f in fs:
        z = np.load(f); r = tune_policy(z['oof'])
        if best is None or r[0] > best[0]:
            best = (r[0], f)
    z = np.load(best[1]); P_store[pref] = (z['oof'], z['test'])
    report(pref.rstrip('_C'), z['oof'], z['test'], os.path.basename(best[1])[:-4])

# ---- ensembles (plain average of P(correct)); weight tuned on tuning set
keys = list(P_store)
for i in range(len(keys)):
    for j in range(i + 1, len(keys)):
        a, b = keys[i], keys[j]
        if a.startswith('knn') and b.startswith('knn'):
            continue
        best = None
        for w in [0.25, 0.5, 0.75]:
            oof = w * P_store[a][0] + (1 - w) * P_store[b][0]
            r = tune_policy(oof)
            if best is None or r[0] > best[0]:
                best = (r[0], w)
        w = best[1]
        report('ens %s+%s' % (a, b), w * P_store[a][0] + (1 - w) * P_store[b][0],
               w * P_store[a][1] + (1 - w) * P_store[b][1], 'w=%g' % w)
np.savez(CACHE + '/store_%s.npz' % TUNE, **{k + '__oof': v[0] for k, v in P_store.items()},
         **{k + '__test': v[1] for k, v in P_store.items()})
