"""Alerts out: the team hears of an incident, a freeze or a held post in Slack, Teams, email
and PagerDuty, without looking at the web page.

outbox.py   writes an alert in the transaction of the change (incidents, holds)
message.py  what an alert says, in words, from what the outbox kept
payloads.py the documented payload of each channel (Slack blocks, Adaptive Card, Events v2)
channels.py sends one message to one channel (requests, smtplib); errors carry no secret
dispatch.py delivers pending alerts after the commit, in order per channel, with retries
"""
