"""Notebook 04, pooling: its figures, its two explorers and its exercise cases."""
