"""crisis: notice an outage in the comments, hold the marketing, answer every affected customer."""

__version__ = "0.1.0"
