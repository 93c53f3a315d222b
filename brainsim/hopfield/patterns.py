"""Patterns to store in an associative memory (random ±1 vectors, binarised digits, or the user's own
rows) and the cues made from them (bits flipped, or the bottom of the image blanked).

Every source returns ±1 float32 tensors (P, N) and is seeded: the same (seed, stream) gives the
same patterns. User text is parsed here and every problem becomes one ConfigError sentence.
"""

from __future__ import annotations

import functools
import math
import re

import numpy as np
import torch

from brainsim.config import ConfigError
from brainsim.runtime import rng
from brainsim.textio import numbered_rows, quote

MAX_UPLOAD_N = 1024

# Four 8x8 letters (T, L, X, O), one pattern per ';'-separated row: the default for the upload field.
EXAMPLE_CSV = ";".join(
    [
        "1111111111111111000110000001100000011000000110000001100000011000",
        "1100000011000000110000001100000011000000110000001111111111111111",
        "1100001101100110001111000001100000011000001111000110011011000011",
        "0011110001111110110000111100001111000011110000110111111000111100",
    ]
)


def random_patterns(seed: int, stream: int, p: int, n: int) -> torch.Tensor:
    """P independent patterns with unbiased ±1 entries. -> (P, N) float32."""
    bits = rng(seed, stream, 11).integers(0, 2, size=(p, n))
    return torch.as_tensor(2 * bits - 1, dtype=torch.float32)


@functools.lru_cache(maxsize=1)
def _digit_images() -> tuple[np.ndarray, np.ndarray]:
    from sklearn import datasets as skdata  # imported when digits are asked for: 1-2.5 s

    d = skdata.load_digits()
    return np.where(d.images > 7, 1, -1).astype(np.int8), d.target.astype(np.int64)  # (1797, 8, 8) ±1


def digit_patterns(seed: int, stream: int, p: int, scale: int) -> tuple[torch.Tensor, list[int]]:
    """P ≤ 10 binarised 8x8 digits (pixel > 7/16 -> +1), one random exemplar of each of P random classes,
    upsampled by `scale` (N = 64·scale²). Returns ((P, N) float32, the digit classes)."""
    images, labels = _digit_images()
    r = rng(seed, stream, 12)
    classes = r.permutation(10)[:p].tolist()
    picks = [int(r.choice(np.flatnonzero(labels == c))) for c in classes]
    big = np.stack([np.kron(images[i], np.ones((scale, scale), dtype=np.int8)) for i in picks])  # (P, 8s, 8s)
    return torch.as_tensor(big.reshape(p, -1), dtype=torch.float32), classes


def parse_csv(text: str, field: str = "patterns_csv") -> np.ndarray:
    """Rows of 0/1 or −1/+1 values -> (P, N) int8 ±1, read-only (cached: the config's check and the run
    read the same text).

    Rows are separated by newlines or ';'; values by commas or spaces, or written as one run of
    0/1 digits ("0110..."). Every row must have the same length N (4 to 1024) and there must be
    fewer rows than N (the pseudo-inverse rule needs P < N).
    """
    return _parse_csv(text or "", field)


@functools.lru_cache(maxsize=4)
def _parse_csv(text: str, field: str) -> np.ndarray:
    rows = numbered_rows(text, "\n;")
    if not rows:
        raise ConfigError(
            f"Field '{field}' is empty; paste one pattern per line (or per ';') as 0/1 or -1/+1 "
            "values, or choose random or digits patterns."
        )
    out, seen = [], set()
    for r, row in rows:
        values = _row_values(row, f"Field '{field}' row {r}")
        if out and len(values) != len(out[0]):
            raise ConfigError(
                f"Field '{field}' row {r} has {len(values)} values but row {rows[0][0]} has {len(out[0])}; "
                "every pattern must have the same length."
            )
        seen.update(values)
        out.append(values)
    if 0 in seen and -1 in seen:
        raise ConfigError(f"Field '{field}' mixes 0 and -1; use either 0/1 or -1/+1 for every value.")
    n = len(out[0])
    if not 4 <= n <= MAX_UPLOAD_N:
        raise ConfigError(f"Field '{field}' rows have {n} values; between 4 and {MAX_UPLOAD_N} are allowed.")
    if len(out) >= n:
        raise ConfigError(
            f"Field '{field}' has {len(out)} rows of {n} values; store fewer patterns than values per row."
        )
    a = np.array(out, dtype=np.int8)
    a = np.where(a == 1, 1, -1).astype(np.int8)
    a.setflags(write=False)  # shared by every caller of the cache
    return a


def _row_values(row: str, where: str) -> list[int]:
    """The values of one row: separated by commas or spaces, or one run of 0/1 digits."""
    tokens = [t for t in re.split(r"[,\s]+", row) if t]
    if len(tokens) == 1 and re.fullmatch(r"[01]{2,}", tokens[0]):
        tokens = list(tokens[0])
    for t in tokens:
        if t not in ("0", "1", "-1", "+1"):
            raise ConfigError(f"{where} holds {quote(t)}; allowed values are 0/1 or -1/+1.")
    return [int(t) for t in tokens]


def image_shape(n: int, source: str, scale: int = 1) -> tuple[int, int]:
    """(height, width) to draw an N-pixel pattern: digits are 8s×8s; otherwise the most square factorisation."""
    if source == "digits":
        return 8 * scale, 8 * scale
    h = max(d for d in range(1, math.isqrt(n) + 1) if n % d == 0)
    return h, n // h


# --------------------------------------------------------------------------- cues


def flip_cue(patterns: torch.Tensor, fraction: float, generator: torch.Generator) -> torch.Tensor:
    """Flip exactly round(fraction·N) randomly chosen bits of each pattern (a cue at overlap 1 − 2f)."""
    p, n = patterns.shape
    k = int(round(fraction * n))
    ranks = torch.argsort(torch.rand(p, n, generator=generator), dim=1)  # (P, N) random permutation per row
    flip = (ranks < k).to(patterns.device)
    return torch.where(flip, -patterns, patterns)


def occlude_cue(patterns: torch.Tensor, fraction: float) -> torch.Tensor:
    """Blank (set to −1, 'off') the last round(fraction·N) pixels in row-major order: the bottom of an image."""
    n = patterns.shape[-1]
    k = int(round(fraction * n))
    out = patterns.clone()
    if k:
        out[..., n - k :] = -1.0
    return out


def make_cues(kind: str, x: torch.Tensor, fraction: float, gen: torch.Generator) -> torch.Tensor:
    """Cues from patterns (..., P, N): exact-count random flips ('flip'), or the bottom `fraction` blanked."""
    if kind == "occlude":
        return occlude_cue(x, fraction)
    flat = x.reshape(-1, x.shape[-1])
    return flip_cue(flat, fraction, gen).reshape(x.shape)


def training_corruption(kind: str, max_fraction: float):
    """Training corruption of the autoencoder: the cue's kind at a level drawn uniformly in [0, max_fraction]
    per example, redrawn every epoch, so the network learns the whole way from a cue back to the clean
    pattern (and to keep a clean pattern clean, as iterated recall needs). -> corrupt(x, generator)."""

    def corrupt(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
        level = (torch.rand(x.shape[:-1], generator=gen) * max_fraction).to(x.device)[..., None]  # (..., 1)
        if kind == "occlude":
            n = x.shape[-1]
            hide = torch.arange(n, device=x.device) >= n - torch.round(level * n)  # bottom of the image
            return torch.where(hide, -1.0, x)
        flip = torch.rand(x.shape, generator=gen).to(x.device) < level
        return torch.where(flip, -x, x)

    return corrupt
