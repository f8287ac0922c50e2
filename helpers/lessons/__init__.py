"""One module (or folder) per notebook: its figures, explorers and exercise cases."""
