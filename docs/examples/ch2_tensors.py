"""Chapter 2's tensor operations as a plain PyTorch script; `ember exec` runs it on ember."""
import numpy as np
import torch

# creation: dtypes follow the data, as in PyTorch
print(torch.tensor([[1, 2], [3, 4]]).dtype, torch.tensor([1.5, 2.5]).dtype,
      torch.tensor(np.array([1.0, 2.0])).dtype)
print(torch.zeros(2, 3), torch.eye(3), torch.full((2, 2), 0.42), sep="\n")
print(torch.arange(1, 10, step=2), torch.linspace(0, 20, steps=5),
      torch.logspace(-3, 3, steps=4), sep="\n")
torch.manual_seed(0)
print(torch.rand(2, 2).shape, torch.randperm(6).dtype)

# indexing, reshaping, joining
a = torch.arange(12).reshape(3, 4)
print(a[1], a[:, 2], a[1][2], a[1][2].item(), a[a > 8], sep="\n")
print(a.view(4, 3).shape, a.t().shape, a.unsqueeze(0).shape, a.flatten().shape)
print(torch.cat([a, a], dim=0).shape, torch.stack([a, a]).shape)
print(torch.chunk(torch.arange(10), 3))

# element-wise maths, reductions and matrix products
x = torch.tensor([[1.0, -2.0], [3.0, 4.0]])
print(x.abs(), x.exp().round(decimals=3), x.clamp(min=0), sep="\n")
print(x.sum(), x.mean(dim=0), x.max(dim=1), sep="\n")
print(x @ x.T, torch.matmul(x, torch.ones(2)), sep="\n")

# NumPy interop shares memory
n = np.ones(3, dtype=np.float32)
t = torch.from_numpy(n)
n[0] = 7
print(t, t.numpy().dtype)
