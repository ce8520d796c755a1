"""The domain: pure model, extraction and lint rules. No I/O, no vendor libraries."""
