"""Local simulators of the Jira Cloud and GitHub REST APIs for tests, demos and benchmarks.

``Sandbox`` (in ``core``) serves the simulated vendors on loopback ports; nothing starts at
import time.
"""

from followthrough.sandbox.core import (
    Accounting,
    App,
    BadRequest,
    Fault,
    FaultPlan,
    FaultRule,
    HttpError,
    Sandbox,
    SandboxRequest,
    SandboxResponse,
    SimClock,
)

__all__ = [
    "Accounting",
    "App",
    "BadRequest",
    "Fault",
    "FaultPlan",
    "FaultRule",
    "HttpError",
    "Sandbox",
    "SandboxRequest",
    "SandboxResponse",
    "SimClock",
]
