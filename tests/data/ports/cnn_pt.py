# Written for defaultlint's tests: the PyTorch twin of cnn_flax.py (same layers, same learning rate).
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 32, 3)
        self.bn = nn.BatchNorm2d(32)
        self.fc1 = nn.Linear(32 * 26 * 26, 128)
        self.norm = nn.LayerNorm(128)
        self.act = nn.GELU()
        self.drop = nn.Dropout(0.1)
        self.fc2 = nn.Linear(128, 10)


model = Net()
opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
