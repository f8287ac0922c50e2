"""Helpers behind the notebook series on how CNNs and RNNs work."""
