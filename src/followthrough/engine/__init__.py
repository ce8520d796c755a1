"""The engine: runs a sync cycle over the ports (trackers, store); knows no vendor library."""
