"""Error-driven local rules: the delta rule, error times input (one sign convention: t − y).

Shapes as in brainsim.rules.hebbian: pre (..., B, n_in), post and target (..., B, n_out).
"""

from __future__ import annotations

import torch


def delta_rule(pre: torch.Tensor, post: torch.Tensor, target: torch.Tensor, eta: float) -> torch.Tensor:
    """Delta rule, Δw_ij = η · (t_i − y_i) · x_j: error times input (averaged over the batch).

    For a sigmoid (or softmax) unit it is exactly minus the gradient of the cross-entropy loss; only for
    a linear unit y = w·x with squared error is it Widrow & Hoff's (1960) LMS rule.
    pre x: (..., B, n_in), post y and target t: (..., B, n_out).
    """
    return eta * (target - post).transpose(-1, -2) @ pre / pre.shape[-2]
