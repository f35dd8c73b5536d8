"""Connectors: where comments come from and where replies and posts go.

One library per file (``files``: JSONL and CSV exports, ``x``: tweepy, ``facebook`` and
``facebook_comments``: facebook-sdk, ``webhook``: Facebook's feed webhook), the record parser
that reports bad lines (``records``), retries with backoff (``retry``) and the polling loop that
runs a source into the pipeline (``polling``).
"""
