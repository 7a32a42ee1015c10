"""Clean: skip-gram word embeddings with negative sampling on a synthetic topic corpus.
Hand-written objective: -(log sigma(u.v) + sum log sigma(-u.v_neg)), minimised (correct sign).
Two embedding tables, Adam, loss tracked per epoch, and a nearest-neighbour check at the end."""
import numpy as np, torch, torch.nn as nn, torch.nn.functional as F
torch.manual_seed(5); np.random.seed(5)
V, TOPICS, D, WIN, NEG = 200, 10, 24, 2, 5
topic_of = np.arange(V) % TOPICS
corpus = []
for doc in range(400):                        # each document mostly draws words of one topic
    tpc = np.random.randint(TOPICS)
    words = np.where(topic_of == tpc)[0]
    for _ in range(40):
        corpus.append(np.random.choice(words) if np.random.rand() < 0.85 else np.random.randint(V))
corpus = np.array(corpus)
pairs = []
for i in range(len(corpus)):
    for j in range(max(0, i - WIN), min(len(corpus), i + WIN + 1)):
        if i != j:
            pairs.append((corpus[i], corpus[j]))
pairs = torch.tensor(np.array(pairs))
freq = np.bincount(corpus, minlength=V) ** 0.75; freq = torch.tensor(freq / freq.sum(), dtype=torch.float)

class SkipGram(nn.Module):
    def __init__(self):
        super().__init__()
        self.inp = nn.Embedding(V, D); self.out = nn.Embedding(V, D)
        nn.init.uniform_(self.inp.weight, -0.5 / D, 0.5 / D); nn.init.normal_(self.out.weight, std=0.1)
    def forward(self, c, o, neg):
        u = self.inp(c)                                   # (B, D)
        pos = (u * self.out(o)).sum(-1)                   # (B,)
        negs = torch.bmm(self.out(neg), u.unsqueeze(-1)).squeeze(-1)   # (B, NEG)
        return -(F.logsigmoid(pos) + F.logsigmoid(-negs).sum(-1)).mean()

model = SkipGram()
opt = torch.optim.Adam(model.parameters(), lr=5e-3)
B = 512
for epoch in range(4):
    perm = torch.randperm(len(pairs)); tot = 0.0; n = 0
    for i in range(0, len(pairs), B):
        p = pairs[perm[i:i + B]]
        neg = torch.multinomial(freq, len(p) * NEG, replacement=True).view(len(p), NEG)
        loss = model(p[:, 0], p[:, 1], neg)
        opt.zero_grad(); loss.backward(); opt.step()
        tot += loss.item(); n += 1
    print(f"epoch {epoch} loss {tot / n:.4f}")
with torch.no_grad():
    E = F.normalize(model.inp.weight, dim=1); sim = E @ E.T; sim.fill_diagonal_(-2)
    nn_topic_match = (topic_of[sim.argmax(1).numpy()] == topic_of).mean()
print("nearest neighbour shares topic:", nn_topic_match)
