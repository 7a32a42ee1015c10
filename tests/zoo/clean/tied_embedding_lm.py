"""Healthy: a word-level LSTM language model with tied input and output embeddings
(self.decoder.weight = self.encoder.weight, as in PyTorch's word_language_model example), SGD
with gradient clipping."""

import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(57)
V, D, B, L = 30, 32, 16, 20
grammar = torch.randint(0, V, (V,))
stream = [0]
for _ in range(8000):
    stream.append(int(grammar[stream[-1]]) if torch.rand(1).item() < 0.8 else int(torch.randint(0, V, (1,))))
data = torch.tensor(stream[: (len(stream) // B) * B]).view(B, -1)


class TiedLM(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Embedding(V, D)
        self.lstm = nn.LSTM(D, D, batch_first=True)
        self.decoder = nn.Linear(D, V)
        self.decoder.weight = self.encoder.weight

    def forward(self, x):
        h, _ = self.lstm(self.encoder(x))
        return self.decoder(h)


model = TiedLM()
optimizer = torch.optim.SGD(model.parameters(), lr=2.0)
for epoch in range(2):
    for i in range(0, data.size(1) - L - 1, L):
        x, t = data[:, i : i + L], data[:, i + 1 : i + L + 1]
        loss = F.cross_entropy(model(x).reshape(-1, V), t.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 0.25)
        optimizer.step()
    print(f"epoch {epoch} loss {loss.item():.3f}")
