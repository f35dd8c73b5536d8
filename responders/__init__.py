"""Reply suggestions for the review queue.

Responders turn a classified comment (and the incident it belongs to, if any) into a proposed
reply that a person approves before it is published. They are pure decisions: no API client,
no database, so the same responder runs live, in replays and in tests. They import only the
types, protocols and errors of ``crisis``; ``crisis.registry`` is where they are wired in.
"""
