"""Application wiring: builds adapters from configuration and runs the engine for the CLI."""
