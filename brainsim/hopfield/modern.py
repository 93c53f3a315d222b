"""Modern (dense) Hopfield network (Ramsauer et al. 2020): s ← Ξᵀ softmax(β Ξ s), continuous states.

It stores the patterns themselves, not a weight matrix: attention with the state as query and the
patterns as keys and values. Many networks at once: flat patterns (ΣP, N) with `pattern_model`
naming each pattern's network, and flat cues (B, N) with `model`, both sorted.
"""

from __future__ import annotations

import torch

from brainsim.hopfield.dynamics import Recall, segments


def modern_step(patterns: torch.Tensor, s: torch.Tensor, beta: float) -> torch.Tensor:
    """One update of the modern (dense) Hopfield network (Ramsauer et al. 2020).

    s_new = Ξᵀ softmax(β Ξ s),  Ξ: (P, N) stored patterns, β: inverse temperature; this is
    attention with the state as query and the patterns as keys and values. s (B, N) -> (B, N).
    """
    return torch.softmax(beta * s @ patterns.mT, dim=-1) @ patterns  # (B, P) @ (P, N)


def modern_energy(patterns: torch.Tensor, s: torch.Tensor, beta: float) -> torch.Tensor:
    """E(s) = −β⁻¹ log Σ_μ exp(β ξ^μ·s) + ½ sᵀs (constants dropped); falls under modern_step. -> (B,)."""
    return -torch.logsumexp(beta * s @ patterns.mT, dim=-1) / beta + 0.5 * (s * s).sum(-1)


def recall_modern(
    patterns: torch.Tensor,
    cues: torch.Tensor,
    beta: float,
    pattern_model: torch.Tensor,
    model: torch.Tensor,
    max_steps: int = 30,
    record: bool = False,
    tol: float = 1e-4,
) -> Recall:
    """Iterate modern_step until the state moves less than `tol` (max abs change) for every cue.

    A cue that has converged stays put (as in `settle`), so its state does not depend on how long
    the other cues in the batch take. patterns: flat (ΣP, N) with pattern_model (ΣP,);
    cues (B, N) with model (B,). The Recall holds continuous states (binarise with sign to compare with
    the classical networks) and, with `record`, the history and energies (T, B).
    """
    psegs = {m: (a, e) for m, a, e in segments(pattern_model, int(pattern_model.max()) + 1)}
    segs = [(m, a, e, *psegs[m]) for m, a, e in segments(model, int(model.max()) + 1)]
    s = cues.clone()
    steps = torch.full((s.shape[0],), max_steps, dtype=torch.long, device=s.device)
    done = torch.zeros(s.shape[0], dtype=torch.bool, device=s.device)

    def energies(state):
        out = torch.empty(state.shape[0], device=state.device)
        for _, a, e, pa, pe in segs:
            out[a:e] = modern_energy(patterns[pa:pe], state[a:e], beta)
        return out

    hist, ens = ([s.clone()], [energies(s)]) if record else (None, None)
    for t in range(1, max_steps + 1):
        new = torch.empty_like(s)
        for _, a, e, pa, pe in segs:
            new[a:e] = modern_step(patterns[pa:pe], s[a:e], beta)
        new = torch.where(done[:, None], s, new)  # converged cues stay put
        moved = (new - s).abs().amax(1)
        newly = (moved < tol) & ~done
        steps[newly] = t - 1
        done |= newly
        s = new
        if record:
            hist.append(s.clone())
            ens.append(energies(s))
        if bool(done.all()):
            break
    if not record:
        return Recall(s, steps, done)
    times = torch.arange(len(hist), dtype=torch.float32)
    return Recall(s, steps, done, torch.stack(hist), times, energy=torch.stack(ens))
