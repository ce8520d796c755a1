"""A deterministic fault simulator over the engines' ports (store, tracker, mailer).

- ``boundaries``: `PortProxy` numbers every port call (before it; after it too for writes)
  and a `Timeline` injects the scheduled fault there: crash, lost answer, refusal
  (429 / 429 with an hour's Retry-After / 500 / 503 / 401 / 403 / 404), or a delay of the
  clock inside or past the search lag.
- ``world``: the in-process sandbox, SimClock, journal (SQLite or PostgreSQL) and loopback
  SMTP relay, snapshotted after a scenario's set-up and restored for every schedule.
- ``scenarios``: every write the product makes, as set-up steps and faulted steps.
- ``runs``: sync, remind and report runs as the worker makes them, each a fresh process.
- ``simulate``: plays a schedule, recovers to quiescence, checks ``invariants``.
- ``defects``: the engine defects found so far, to tell known violations from new ones.

To replay a failing case: ``simulator.play({simulator.boundary_labelled(label).number:
FaultKind(kind)})``, or for a random schedule ``simulator.play(simulator.random_schedule(
random.Random(seed), RANDOM_FAULTS), seed=seed)``; ``episode.describe()`` and
``episode.violations`` say what happened.
"""
