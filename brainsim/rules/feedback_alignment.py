"""Feedback alignment (Lillicrap, Cownden, Tweed & Akerman 2016): a hidden layer learns by the delta
rule from an error sent back through a fixed random matrix B instead of the transposed forward weights.

Sign convention as in brainsim.rules.delta: errors are t − y, so the update is +η · error · input.
"""

from __future__ import annotations

import torch


def hidden_error(err: torch.Tensor, feedback: torch.Tensor, slope: torch.Tensor) -> torch.Tensor:
    """δ₁ = (δ₂ Bᵀ) ⊙ f'(a₁): the output error δ₂ = t − y (B, C) sent back through the fixed random
    feedback B (H, C), gated by the hidden units' slope f'(a₁) (B, H). With B = W₂ᵀ this is exactly
    backprop's hidden error. Returns δ₁ (B, H)."""
    return (err @ feedback.T) * slope
