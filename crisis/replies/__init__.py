"""Replies: what we answer each customer, and the review queue it waits in.

A comment's labels and its incident's facts become a suggestion (``respond``), which follows its
incident as the facts change (``incident_changes``) and becomes a follow-up once it is resolved
(``follow_ups``, ``answered``). People decide on each item (``queue``) or on a cluster of alike
ones (``bulk``); approved replies go out through the platforms exactly once (``sending``).
Who works on which item (claims that expire, a lead's assignments) is ``claims``; how fast the
team answers against its first-response targets is ``sla``.
"""
