"""The embeddable calendar: compact upcoming lists that institutions frame on their own websites."""
