"""Entry point for ``python -m followthrough``."""

from followthrough.cli import main

raise SystemExit(main())
