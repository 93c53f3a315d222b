"""Local plasticity as short pure tensor functions, one family per module; each docstring holds
the equation and the shapes. Experiment-specific fast forms live beside their state and are
tested equal to these."""
