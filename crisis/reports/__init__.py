"""Reports: the crisis report for management.

Numbers for a period or an incident gathered by SQL (``data``, ``sql``, ``period``, ``volume``,
``incidents``, ``response``, ``review``, ``posts``), drawn as SVG (``charts``), rendered to one
offline HTML file (``html``, ``templates/``) or exported as CSV and JSON (``export``).
"""
