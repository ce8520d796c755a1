"""Sources of postmortem documents and the parsers that turn them into blocks."""
