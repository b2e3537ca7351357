"""The book's feed-forward networks learn real data (issue acceptance: ch. 3 and ch. 5)."""
import numpy as np
import pytest

import ember
import ember.nn as nn

sklearn_datasets = pytest.importorskip("sklearn.datasets")


class FeedForward(nn.Module):
    """Listing 3-3's shape: 64-256-1024-1 with ReLU and a final Sigmoid."""

    def __init__(self):
        super().__init__()
        ember.manual_seed(2020)
        self.fc1 = nn.Linear(64, 256)
        self.relu1 = nn.ReLU()
        self.fc2 = nn.Linear(256, 1024)
        self.relu2 = nn.ReLU()
        self.out = nn.Linear(1024, 1)
        self.final = nn.Sigmoid()

    def forward(self, x):
        return self.final(self.out(self.relu2(self.fc2(self.relu1(self.fc1(x))))))


def _train(model, x, y, loss_fn, opt, epochs, batch, l1=0.0, seed=0):
    rng = np.random.default_rng(seed)
    n = x.shape[0]
    losses = []
    for _ in range(epochs):
        model.train()
        total = 0.0
        for idx in np.array_split(rng.permutation(n), max(1, n // batch)):
            xb, yb = ember.from_numpy(x[idx]), ember.from_numpy(y[idx])
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            if l1:
                loss = loss + l1 * sum(p.abs().sum() for p in model.parameters())
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        losses.append(total / n)
    return losses


def _accuracy(model, x, y):
    model.eval()
    with ember.no_grad():
        pred = model(ember.from_numpy(x)).numpy()
    return float((np.where(pred > 0.5, 1, 0) == y).mean())


def test_ch3_network_learns_blobs_with_adam():
    x, y = sklearn_datasets.make_blobs(n_samples=5000, centers=2, n_features=64,
                                       cluster_std=10, random_state=2020)
    x = x.astype(np.float32)
    y = y.reshape(-1, 1).astype(np.float32)
    model = FeedForward()
    opt = ember.optim.Adam(model.parameters(), lr=0.001)
    losses = _train(model, x[:4000], y[:4000], nn.BCELoss(), opt, epochs=10, batch=16)
    assert losses[-1] < losses[0]
    assert _accuracy(model, x[4000:], y[4000:]) >= 0.99


class TabularNet(nn.Module):
    """Listing 5-14/5-15's shape (dropout on the input and after each hidden ReLU)."""

    def __init__(self, n_in):
        super().__init__()
        self.fc1 = nn.Linear(n_in, 96)
        self.fc2 = nn.Linear(96, 192)
        self.fc3 = nn.Linear(192, 384)
        self.relu = nn.ReLU()
        self.out = nn.Linear(384, 1)
        self.final = nn.Sigmoid()
        self.drop = nn.Dropout(0.1)

    def forward(self, x):
        x = self.relu(self.fc1(self.drop(x)))
        x = self.relu(self.fc2(self.drop(x)))
        x = self.relu(self.fc3(self.drop(x)))
        return self.final(self.out(self.drop(x)))


def test_ch5_network_with_l1_l2_dropout_beats_majority_baseline():
    data = sklearn_datasets.load_breast_cancer()
    x = data.data.astype(np.float32)
    y = data.target.reshape(-1, 1).astype(np.float32)
    rng = np.random.default_rng(7)
    perm = rng.permutation(len(x))
    x, y = x[perm], y[perm]
    split = int(0.8 * len(x))
    mean, std = x[:split].mean(0), x[:split].std(0) + 1e-6
    x = (x - mean) / std
    ember.manual_seed(0)
    model = TabularNet(x.shape[1])
    opt = ember.optim.Adam(model.parameters(), lr=0.001, weight_decay=1e-3)   # L2
    losses = _train(model, x[:split], y[:split], nn.BCELoss(), opt, epochs=30, batch=32,
                    l1=1e-4)
    assert losses[-1] < losses[0]
    majority = max(y[split:].mean(), 1 - y[split:].mean())
    acc = _accuracy(model, x[split:], y[split:])
    assert acc >= majority + 0.20, (acc, majority)
