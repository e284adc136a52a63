#!/usr/bin/env python3
"""Peer of bench/label_bench: a straightforward Python pass over the same lm-eval samples files
(gzip + json.loads per line, reading each record's acc), timed inside the interpreter.
Usage: label_peer.py FILE_LIST  (one path per line). Prints JSON {seconds, bytes, lines}."""
import gzip
import json
import sys
import time


def main():
    paths = [p.strip() for p in open(sys.argv[1]) if p.strip()]
    start = time.perf_counter()
    total_bytes = 0
    lines = 0
    correct = 0
    for path in paths:
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rb") as f:
            for line in f:
                total_bytes += len(line)
                if not line.strip():
                    continue
                record = json.loads(line)
                lines += 1
                correct += record.get("acc", record.get("exact_match", 0)) == 1.0
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "bytes": total_bytes, "lines": lines, "correct": correct}))


if __name__ == "__main__":
    main()
