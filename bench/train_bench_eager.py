#!/usr/bin/env python3
"""PyTorch eager training loop with the shapes of MOM's encoder presets (BERT encoder + linear head,
AdamW, cross-entropy), the peer of mom-train in bench/train_bench.sh. Prints samples/s.
Usage: train_bench_eager.py PRESET BATCH SEQ_LEN STEPS [THREADS]"""
import sys
import time

import torch
import torch.nn as nn

PRESETS = {  # layers, hidden, heads, intermediate (models/encoder_presets.h)
    "bert-tiny": (2, 128, 2, 512),
    "bert-small": (4, 256, 4, 1024),
    "bert-base": (12, 768, 12, 3072),
}


class Bert(nn.Module):
    def __init__(self, layers, hidden, heads, inter, labels=27, vocab=30522, positions=512):
        super().__init__()
        self.tok = nn.Embedding(vocab, hidden)
        self.pos = nn.Embedding(positions, hidden)
        self.typ = nn.Embedding(2, hidden)
        self.norm = nn.LayerNorm(hidden, eps=1e-12)
        layer = nn.TransformerEncoderLayer(hidden, heads, inter, dropout=0.1, activation="gelu", batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers)
        self.pool = nn.Linear(hidden, hidden)
        self.head = nn.Linear(hidden, labels)

    def forward(self, ids, mask):
        pos = torch.arange(ids.shape[1]).unsqueeze(0)
        x = self.norm(self.tok(ids) + self.pos(pos) + self.typ(torch.zeros_like(ids)))
        x = self.encoder(x, src_key_padding_mask=mask == 0)
        return self.head(torch.tanh(self.pool(x[:, 0])))


def main():
    preset, batch, seq, steps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    if len(sys.argv) > 5:
        torch.set_num_threads(int(sys.argv[5]))
    torch.manual_seed(0)
    model = Bert(*PRESETS[preset])
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
    ids = torch.randint(1000, 30000, (batch, seq))
    mask = torch.ones(batch, seq, dtype=torch.long)
    y = torch.randint(0, 27, (batch,))
    model.train()
    for step in range(steps + 1):
        if step == 1:  # the first step warms up allocators
            t0 = time.perf_counter()
        loss = nn.functional.cross_entropy(model(ids, mask), y)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad()
    dt = time.perf_counter() - t0
    print(f"{preset} eager batch {batch} seq {seq}: {steps * batch / dt:.2f} samples/s")


if __name__ == "__main__":
    main()
