"""Contract tests: real clients through Prism validating proxies in front of the sandbox."""
