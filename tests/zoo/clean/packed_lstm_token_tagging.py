"""Healthy: token tagging with variable-length sequences: padded batches, pack_padded_sequence
into a bidirectional LSTM, and CrossEntropyLoss(ignore_index=-100) on the padded positions."""

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence, pad_sequence

torch.manual_seed(71)
V, TAGS = 20, 3


def make_sentence():
    n = int(torch.randint(3, 15, (1,)))
    words = torch.randint(1, V, (n,))
    tags = torch.where(words < 7, 0, torch.where(words < 14, 1, 2))
    tags[1:] = torch.where(words[:-1] == 1, 2, tags[1:])  # context matters
    return words, tags


data = [make_sentence() for _ in range(1200)]


class Tagger(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(V, 16, padding_idx=0)
        self.lstm = nn.LSTM(16, 32, batch_first=True, bidirectional=True)
        self.out = nn.Linear(64, TAGS)

    def forward(self, words, lengths):
        packed = pack_padded_sequence(self.emb(words), lengths, batch_first=True, enforce_sorted=False)
        h, _ = self.lstm(packed)
        h, _ = pad_packed_sequence(h, batch_first=True)
        return self.out(h)


model = Tagger()
optimizer = torch.optim.Adam(model.parameters(), lr=5e-3)
for epoch in range(3):
    order = torch.randperm(len(data)).tolist()
    for i in range(0, len(data), 32):
        batch = [data[j] for j in order[i : i + 32]]
        lengths = torch.tensor([len(w) for w, _ in batch])
        words = pad_sequence([w for w, _ in batch], batch_first=True)
        tags = pad_sequence([t for _, t in batch], batch_first=True, padding_value=-100)
        logits = model(words, lengths)
        loss = F.cross_entropy(logits.reshape(-1, TAGS), tags.reshape(-1), ignore_index=-100)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print(f"epoch {epoch} loss {loss.item():.3f}")
