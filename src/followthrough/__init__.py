"""followthrough: postmortem action items, followed through."""

__version__ = "0.1.0"
