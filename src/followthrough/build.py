"""How this installation was built: whether the scan's modules run compiled (setup.py)."""

from __future__ import annotations

from importlib.util import find_spec

from followthrough import __version__

# One of the modules setup.py compiles: a wheel compiles them all or none.
_PROBE = "followthrough.domain.fields"


def scan_compiled() -> bool:
    """Are the source parsers and extraction rules compiled extension modules?"""
    spec = find_spec(_PROBE)
    return spec is not None and spec.origin is not None and not spec.origin.endswith(".py")


def describe() -> str:
    """``followthrough 0.1.0 (scan compiled)``, as ``--version`` prints it."""
    return f"followthrough {__version__} (scan {'compiled' if scan_compiled() else 'in Python'})"
