"""Tracker adapters: Jira and GitHub behind the `Tracker` port, vendor errors translated."""
