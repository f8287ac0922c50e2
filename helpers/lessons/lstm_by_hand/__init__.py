"""Notebook 06, the LSTM by hand: the cell's figures, the step-through widget, the exercises."""
