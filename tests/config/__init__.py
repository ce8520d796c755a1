"""Tests of the typed configuration: loading, overrides, secrets, problems, commands."""
