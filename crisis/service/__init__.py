"""Running crisis as a service: the work that repeats, in one process or on many machines.

- ``jobs``: what the service does, one registry: polling each source, the file drop, publishing
  due posts, sending approved replies, the sweeper, and the timers other subsystems add (one
  line each in ``jobs.JOBS``); each job is one round of work.
- ``loops``: ``crisis run``: every job as a supervised thread in one process (a failure is
  logged and retried with backoff; the others go on), stopped cleanly between rounds.
- ``filedrop``: a folder watched for exports, each ingested once.
- ``health``: each round's outcome in the database; ``/readyz``'s answer.
- ``metrics``: the Prometheus metrics of ``/metrics``.
- ``logs``: plain or JSON log lines, never a secret.
- ``tasks``: the same jobs as Celery tasks (``crisis worker``, ``crisis scheduler``); Celery is
  imported only there, when ``CRISIS_BROKER_URL`` is set.
"""
