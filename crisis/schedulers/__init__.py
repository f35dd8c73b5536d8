"""Marketing scheduled in other tools, held where it lives during an incident.

Teams keep their calendar in Facebook's own scheduler, Postiz, Buffer or Hootsuite. Each tool
gets an adapter behind ``crisis.protocols.Scheduler`` (list what is due, hold one, release
one); ``sync`` mirrors their next days into our posts as external posts, holds the marketing
ones due while marketing is blocked at their source (snapshot first), puts them back once a
lead resumes them (once: through the publish intents), and keeps what could not be held in
front of the team. ``rules`` decides which imported post is marketing; ``configured`` builds
the adapters the settings switch on.

    http.py        one JSON client for the REST tools: our errors, no token in any message
    postiz.py      Postiz public API: a true draft toggle
    facebook.py    a Page's own scheduled posts: snapshot, delete, re-create
    buffer.py      Buffer (API v1): snapshot, destroy, re-create
    hootsuite.py   Hootsuite REST API: snapshot, delete, re-create (it has no update)
"""
