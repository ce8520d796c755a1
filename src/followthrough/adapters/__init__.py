"""Adapters: the only place vendor libraries and I/O live."""
