"""Notebook 05, RNN slot filling: its figures, the sentence box and its exercise cases."""
