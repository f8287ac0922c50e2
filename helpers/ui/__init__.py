"""The kit with no lesson content: explorer shell, SVG drawing, figure class, palette,
exercise feedback."""
