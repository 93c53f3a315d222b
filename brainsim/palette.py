"""One colour per learner for the whole app: brain-like learners in warm colours, backprop networks in
cool ones, controls and references grey."""

from __future__ import annotations

import plotly.express as px

# Warm: brain-like / local rules. Cool: backprop-trained networks. Grey: controls and references.
PALETTE = {
    # brain-like (warm)
    "delta rule": "#d62728",
    "single neuron (delta)": "#d62728",
    "single neuron (hebbian)": "#ff7f0e",
    "hebbian": "#ff7f0e",
    "oja": "#e6550d",
    "reward-modulated": "#bcbd22",
    "three-factor": "#bcbd22",
    "feedback alignment": "#e377c2",
    "hebbian features": "#8c564b",
    "hebbian + reward": "#c49c94",
    "storkey": "#d62728",
    "pseudo-inverse": "#8c564b",
    "modern hopfield": "#e377c2",
    "fast weights": "#ff7f0e",
    "two-timescale synapse": "#d62728",
    # backprop (cool)
    "backprop mlp": "#1f77b4",
    "backprop net": "#1f77b4",
    "cnn": "#17becf",
    "autoencoder": "#1f77b4",
    "rnn": "#9467bd",
    "gru": "#1f77b4",
    "lstm": "#17becf",
    # continual learning (issue 14)
    "fine-tuning": "#1f77b4",
    "joint": "#393b79",
    "ewc": "#17becf",
    "online ewc": "#6baed6",
    "synaptic intelligence": "#9467bd",
    "replay": "#ff7f0e",
    "multi-timescale synapses": "#d62728",
    "context gating": "#bcbd22",
    # optimizers (issue 15)
    "sgd": "#aec7e8",
    "gd": "#1f77b4",
    "momentum": "#17becf",
    "heavy ball": "#17becf",
    "nesterov": "#9edae5",
    "adagrad": "#393b79",
    "rmsprop": "#5254a3",
    "adam": "#9467bd",
    "adamw": "#c5b0d5",
    "backprop": "#1f77b4",
    "weight perturbation": "#d62728",
    "node perturbation": "#ff7f0e",
    "evolution strategies": "#e6550d",
    # representations (issue 16)
    "sanger": "#fd8d3c",
    "competitive": "#8c564b",
    "pca (reference)": "#7f7f7f",
    "pixels (reference)": "#bdbdbd",
    "mlp": "#1f77b4",
    "mlp + weight decay": "#9467bd",
    "mlp + dropout": "#393b79",
    "mlp + early stopping": "#aec7e8",
    "cnn + early stopping": "#9edae5",
    "cnn + augmentation": "#2ca02c",
    # controls / references
    "feedforward": "#7f7f7f",
    "chance": "#7f7f7f",
    "theory": "#7f7f7f",
    "ebbinghaus 1885": "#7f7f7f",
}
_FALLBACK = px.colors.qualitative.Safe


def color_map(names) -> dict[str, str]:
    """Colour per learner name: fixed for known learners, stable hash-free fallback otherwise."""
    out, spare = {}, iter(_FALLBACK * 4)
    for n in sorted(set(map(str, names))):
        out[n] = PALETTE.get(n.lower()) or next(spare)
    return out
