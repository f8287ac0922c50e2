"""Maintainers' tools, outside the package students import: slides, student edition,
figures, the widget registry."""
