"""The ``crisis`` command line: a front end that calls the core, never the web app.

``main`` builds the Typer app and registers each group: ``incidents``, ``posts``, ``queue``,
``send``, ``report``, ``users``, ``platforms`` (ingest, connect, webhook), ``classifier``
(train, evaluate, classify-file) and ``demo``; ``common`` holds what the groups share.
"""
