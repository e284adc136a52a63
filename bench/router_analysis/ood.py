"""Experiment 5: out-of-distribution gate.
(a) train on no_logiqa (90%), in-dist val = deterministic 10% of no_logiqa, OOD = logiqa.jsonl
(b) leave-one-dataset-out on the full file.
Router config given on the command line: fam k alpha pow short margin"""
import sys
import numpy as np
from common import *

fam = tuple(sys.argv[1].split('+')) if len(sys.argv) > 1 else ('word12',)
k, alpha, pw, short, margin = [float(x) for x in sys.argv[2:7]] if len(sys.argv) > 2 else (800, 0, 1, 3, 0)
k = int(k); short = int(short)
print('router', fam, 'k', k, 'alpha', alpha, 'pow', pw, 'short', short, 'margin', margin)
KM = 10  # k for the "mean similarity of the k nearest" variant
PCT = [1, 2, 5, 10, 25, 50, 75, 90]


def _l2c(X):
    n = np.sqrt(np.asarray(X.multiply(X).sum(1)).ravel()); n[n == 0] = 1
    from scipy import sparse as sp
    return sp.diags(1 / n) @ X


def topk(S, K):
    idx = np.argpartition(-S, K - 1, axis=1)[:, :K]
    sims = np.take_along_axis(S, idx, 1)
    o = np.argsort(-sims, 1)
    return np.take_along_axis(idx, o, 1), np.take_along_axis(sims, o, 1)


def route(idx, sims, Ytr, prior, fb, order):
    w = np.clip(sims[:, :k], 0, None) ** pw
    P = np.einsum('qk,qkm->qm', w, Ytr[idx[:, :k]]) + alpha * prior[None]
    P /= np.maximum(w.sum(1) + alpha, 1e-9)[:, None]
    return policy(P, fb, order[:short], margin)


def run(tr, ev_sets, label):
    F = Feats(fam)
    X = F.fit_transform(tr['texts'])
    prior = tr['Y'].mean(0); order = np.argsort(-prior); fb = order[0]
    # LOO stats of the training set itself (what the C++ side can compute at training time)
    S = (X @ X.T).toarray().astype(np.float32); np.fill_diagonal(S, -1)
    _, s_loo = topk(S, KM); del S
    loo_max, loo_mean = s_loo[:, 0], s_loo[:, :KM].mean(1)
    # corrected LOO: drop from the query the features seen only in itself (df==1), renormalise;
    # mimics a new question, whose unseen terms are dropped by the vectoriser
    df = np.asarray((X > 0).sum(0)).ravel()
    from scipy import sparse as sp
    Xq = _l2c(X @ sp.diags((df >= 2).astype(np.float64)))
    S = (Xq @ X.T).toarray().astype(np.float32); np.fill_diagonal(S, -1)
    _, s_c = topk(S, KM); del S
    cl_max, cl_mean = s_c[:, 0], s_c[:, :KM].mean(1)
    out = {}
    for nm, ev in ev_sets.items():
        Xe = F.transform(ev['texts'])
        St = (Xe @ X.T).toarray().astype(np.float32)
        idx, sims = topk(St, max(k, KM))
        pk = route(idx, sims, tr['Y'], prior, fb, order)
        out[nm] = (ev, pk, sims[:, 0], sims[:, :KM].mean(1))
    print('\n###', label, '| fallback =', tr['names'][fb])
    print('  %-22s' % 'quantity', ' '.join('p%-5d' % p for p in PCT))
    print('  %-22s' % 'train LOO maxsim', ' '.join('%.3f ' % v for v in np.percentile(loo_max, PCT)))
    print('  %-22s' % 'train LOO mean%d' % KM, ' '.join('%.3f ' % v for v in np.percentile(loo_mean, PCT)))
    print('  %-22s' % 'train LOOc maxsim', ' '.join('%.3f ' % v for v in np.percentile(cl_max, PCT)))
    print('  %-22s' % 'train LOOc mean%d' % KM, ' '.join('%.3f ' % v for v in np.percentile(cl_mean, PCT)))
    for nm, (ev, pk, mx, mn) in out.items():
        print('  %-22s' % (nm + ' maxsim'), ' '.join('%.3f ' % v for v in np.percentile(mx, PCT)))
        print('  %-22s' % (nm + ' mean%d' % KM), ' '.join('%.3f ' % v for v in np.percentile(mn, PCT)))
    ood = [n for n in out if n != 'inval'][0]
    from sklearn.metrics import roc_auc_score
    for var, li in [('max', 2), ('mean', 3)]:
        sin, sood = out['inval'][li], out[ood][li]
        auc = roc_auc_score(np.r_[np.ones(len(sin)), np.zeros(len(sood))], np.r_[sin, sood])
        t95 = np.percentile(sood, 95)
        print('  [%s] AUC(in vs OOD)=%.3f; thr rejecting 95%% of OOD = %.3f -> keeps %.1f%% of in-dist val' % (
            var, auc, t95, 100 * (sin >= t95).mean()))
        src = {'max': (loo_max, cl_max), 'mean': (loo_mean, cl_mean)}[var]
        thrs = [('LOO p5', np.percentile(src[0], 5)), ('LOOc p5', np.percentile(src[1], 5)),
                ('inval p5', np.percentile(sin, 5)), ('OOD p95', t95)]
        for tn, thr in thrs:
            line = '  gate %-4s %-8s=%.3f:' % (var, tn, thr)
            for nm, o in out.items():
                ev, pk, sv = o[0], o[1], o[li]
                keep = sv >= thr
                pg = np.where(keep, pk, fb)
                line += ' | %s kept %5.1f%% acc %.4f (ungated %.4f, fallback %.4f)' % (
                    nm, 100 * keep.mean(), acc_of(pg, ev['Y']), acc_of(pk, ev['Y']), ev['Y'][:, fb].mean())
            print(line)
    return out


# (a) no_logiqa -> logiqa
nl = load('no_logiqa.jsonl'); lq = load('logiqa.jsonl')
tr_i, va_i = split_val(len(nl['texts']))
tr, va = subset(nl, tr_i), subset(nl, va_i)
print('logiqa: Qwen2.5-7B acc %.4f, gemma-2-9b %.4f, best single %s %.4f' % (
    lq['Y'][:, 7].mean(), lq['Y'][:, 6].mean(), lq['names'][lq['Y'].mean(0).argmax()], lq['Y'].mean(0).max()))
run(tr, {'inval': va, 'logiqa': lq}, 'train no_logiqa(90%) -> in-dist val / logiqa')

# (b) leave-one-dataset-out on the full file
full = load('1_2_3_4_5_6_7_8_9_10_11_12_13_14_15_16_17_18_19_20_21_22_23_24_25_26_27.jsonl')
for d in ['arc', 'csqa', 'logiqa', 'mmlu']:
    m = full['ds'] != d
    rest = np.where(m)[0]
    ti, vi = split_val(len(rest))
    run(subset(full, rest[ti]), {'inval': subset(full, rest[vi]), 'OOD_' + d: subset(full, np.where(~m)[0])},
        'leave out %s' % d)
