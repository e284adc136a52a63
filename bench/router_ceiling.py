#!/usr/bin/env python3
"""What routing can gain on a labeled split, with knowledge no text router has.

Given a training and a test file of mom-label JSONL, prints the test accuracy of: the best single
model on test, the best single model on train (a router's fallback), routing every question to the
model that was best on *train* for its true dataset, and for its true task (e.g. the mmlu subject),
and the oracle. The task-routing line is a practical ceiling for a text router: the router must
guess the task from the text, and per-question signal beyond the task is small in these labels.

Usage: bench/router_ceiling.py TRAIN.jsonl TEST.jsonl      (python3, standard library only)
"""
import collections
import json
import math
import sys


def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def right(q):
    return {m["name"]: bool(m["correct"]) and not m["absent"] for m in q["models"]}


def accuracies(questions):
    acc = collections.Counter()
    for q in questions:
        for name, ok in right(q).items():
            acc[name] += ok
    return {name: acc[name] / len(questions) for name in acc}


def best_by(train, key, fallback):
    groups = collections.defaultdict(list)
    for q in train:
        groups[q[key]].append(q)
    return collections.defaultdict(lambda: fallback,
                                   {g: max(sorted(accuracies(qs).items()), key=lambda kv: kv[1])[0] for g, qs in groups.items()})


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    train, test = load(sys.argv[1]), load(sys.argv[2])
    test_acc = accuracies(test)
    best_test = max(sorted(test_acc.items()), key=lambda kv: kv[1])
    fallback = max(sorted(accuracies(train).items()), key=lambda kv: kv[1])[0]
    n = len(test)
    se = math.sqrt(best_test[1] * (1 - best_test[1]) / n)
    rows = [("best single model on test", best_test[1], best_test[0]),
            ("best single model on train (fallback)", test_acc[fallback], fallback)]
    for key in ("dataset", "task"):
        pick = best_by(train, key, fallback)
        routed = sum(right(q)[pick[q[key]]] for q in test) / n
        rows.append((f"route by true {key} (best on train)", routed, f"{len(set(pick.values()))} distinct models"))
    rows.append(("oracle", sum(any(right(q).values()) for q in test) / n, ""))
    print(f"{n} test questions, {len(train)} train; standard error of one accuracy ~{100 * se:.1f} points")
    print(f"{'router':40s} {'accuracy':>8s} {'vs best':>8s}  note")
    for name, acc, note in rows:
        print(f"{name:40s} {acc:8.4f} {100 * (acc - best_test[1]):+7.2f}  {note}")


if __name__ == "__main__":
    main()
