#!/usr/bin/env python3
"""Independent expectations for the labeler on the embedded sample (stdlib only).

Reads the samples files with Python's gzip/json, takes the gold answer from each *document's own
fields* (arc: answerKey among choices.label; csqa: answerKey; logiqa: label letter; mmlu: answer
index) rather than from lm-eval's `target`, recomputes correctness (argmax of loglikelihoods ==
gold for multiple choice; exact_match of the flexible-extract filter for mgsm; pass@1 for
humaneval), confidences (softmax of the gold choice) and labels (highest confidence among correct
models; ties: fewer parameters, then lower id), and writes one JSON line per question:
  {"task", "doc_id", "label", "correct": {id: bool|None}, "confidence": {id: float|None}}

Usage: expected_labels.py BASE_PATH REGISTRY OUT.jsonl --model_ids 1 7 ... --datasets ...
"""
import argparse
import glob
import gzip
import json
import math
import os


def newest_samples(model_dir):
    by_task = {}
    for path in sorted(glob.glob(os.path.join(model_dir, "samples_*.jsonl*"))):
        name = os.path.basename(path)
        stem = name[len("samples_"):].split(".jsonl")[0]
        task, stamp = stem.rsplit("_", 1)
        if task not in by_task or by_task[task][0] < stamp:
            by_task[task] = (stamp, path)
    return {t: p for t, (s, p) in by_task.items()}


def gold_from_doc(dataset, doc):
    if dataset == "arc":
        return doc["choices"]["label"].index(doc["answerKey"])
    if dataset == "csqa":
        return doc["choices"]["label"].index(doc["answerKey"])
    if dataset == "logiqa":
        return "abcd".index(doc["label"].lower())
    if dataset == "mmlu":
        return int(doc["answer"])
    raise ValueError(dataset)


def read(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("base")
    ap.add_argument("registry")
    ap.add_argument("out")
    ap.add_argument("--model_ids", type=int, nargs="+", required=True)
    ap.add_argument("--datasets", nargs="+", required=True)
    args = ap.parse_args()
    reg = {m["id"]: m for m in json.load(open(args.registry))["models"]}
    rows = []
    for dataset in args.datasets:
        per_model = {}
        for mid in args.model_ids:
            d = os.path.join(args.base, dataset, reg[mid]["dir_name"])
            if os.path.isdir(d):
                per_model[mid] = newest_samples(d)
        tasks = sorted(set(t for files in per_model.values() for t in files))
        for task in tasks:
            results = {}
            for mid, files in per_model.items():
                recs = {}
                for r in read(files[task]):
                    if dataset == "mgsm" and r["filter"] != "flexible-extract":
                        continue
                    if dataset in ("mgsm", "humaneval"):
                        score = r.get("exact_match", r.get("pass@1"))
                        recs[r["doc_id"]] = (score == 1.0, None)
                    else:
                        lls = [float(p[0]) for p in r["filtered_resps"]]
                        gold = gold_from_doc(dataset, r["doc"])
                        argmax = lls.index(max(lls))
                        m = max(lls)
                        z = sum(math.exp(x - m) for x in lls)
                        recs[r["doc_id"]] = (argmax == gold, math.exp(lls[gold] - m) / z)
                results[mid] = recs
            doc_ids = sorted(set(k for recs in results.values() for k in recs))
            for doc_id in doc_ids:
                correct, conf = {}, {}
                best = None
                for mid in args.model_ids:
                    if mid not in results:
                        correct[mid] = None
                        conf[mid] = None
                        continue
                    ok, c = results[mid][doc_id]
                    correct[mid], conf[mid] = ok, c
                    if ok:
                        key = (-(c or 0.0), reg[mid]["params_b"], mid)
                        if best is None or key < best[0]:
                            best = (key, mid)
                rows.append({"task": task, "doc_id": doc_id, "label": best[1] if best else None,
                             "correct": correct, "confidence": conf})
    with open(args.out, "w") as f:
        for row in rows:
            f.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
