"""The maths of the series: numpy and PyTorch only (no plotting, no widgets, no HTML)."""
