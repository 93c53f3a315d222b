"""What the learners are checked against: scikit-learn's PCA of the training images, the |cosine| between
a unit and a principal component, the principal angles between two subspaces, and a linear probe."""

from __future__ import annotations

import numpy as np
import torch
from scipy.linalg import subspace_angles
from sklearn.decomposition import PCA
from torch.nn import functional as F

PROBE_L2 = 1e-3  # ridge penalty λ·‖W‖² of the probe (on standardised features)
PROBE_ITERS = 40  # L-BFGS iterations of the probe


def principal_components(x: np.ndarray, k: int) -> np.ndarray:
    """The first k principal components of x (rows, unit length, in order of variance): (k, d)."""
    return PCA(n_components=k, svd_solver="full").fit(x).components_.astype(np.float64)


def abs_cos(w: np.ndarray, pcs: np.ndarray) -> np.ndarray:
    """|cos| between row i of w and row i of pcs (the sign of a component is arbitrary): (k,)."""
    w = w / np.maximum(np.linalg.norm(w, axis=1, keepdims=True), 1e-30)
    return np.abs((w * pcs[: len(w)]).sum(1))


def angles_deg(w: np.ndarray, pcs: np.ndarray) -> np.ndarray:
    """Principal angles (degrees, largest first) between the span of w's rows and that of pcs's rows
    (scipy.linalg.subspace_angles; Björck & Golub 1973)."""
    return np.degrees(subspace_angles(w.T.astype(np.float64), pcs.T))


def aligned(w: np.ndarray, pcs: np.ndarray) -> np.ndarray:
    """w with each row's sign flipped to agree with the component of the same index (for drawing only)."""
    k = min(len(w), len(pcs))
    signs = np.ones(len(w))
    signs[:k] = np.where((w[:k] * pcs[:k]).sum(1) < 0, -1.0, 1.0)
    return w * signs[:, None]


def linear_probe(
    f_train: torch.Tensor, y_train: torch.Tensor, f_test: torch.Tensor, y_test: torch.Tensor, n_classes: int
) -> tuple[float, float]:
    """The same probe for every representation: features standardised on the training set, then multinomial
    logistic regression (softmax, cross-entropy + λ‖W‖², λ = PROBE_L2) fitted by full-batch L-BFGS from
    zero weights. Returns (train accuracy, test accuracy)."""
    f_train, f_test = f_train.detach().double(), f_test.detach().double()
    mean, std = f_train.mean(0), f_train.std(0).clamp_min(1e-6)
    a, b = (f_train - mean) / std, (f_test - mean) / std
    w = torch.zeros(a.shape[1], n_classes, dtype=a.dtype, device=a.device, requires_grad=True)
    c = torch.zeros(n_classes, dtype=a.dtype, device=a.device, requires_grad=True)
    opt = torch.optim.LBFGS([w, c], lr=1.0, max_iter=PROBE_ITERS, history_size=10, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = F.cross_entropy(a @ w + c, y_train) + PROBE_L2 * (w * w).sum()
        loss.backward()
        return loss

    with torch.enable_grad():
        opt.step(closure)
    with torch.no_grad():
        train = float(((a @ w + c).argmax(1) == y_train).double().mean())
        test = float(((b @ w + c).argmax(1) == y_test).double().mean())
    return train, test
