"""brainsim: brain-like learning side by side with backprop-trained PyTorch networks."""

__version__ = "0.1.0"
