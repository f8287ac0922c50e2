"""Notebook 09 (a CNN that learns): its training monitor, figures, draw-a-digit pad, exercises."""
