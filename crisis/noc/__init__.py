"""Network facts in: what the network operations centre (NOC) knows, taken from the tools it
already uses, onto our incidents and so into the replies.

reports.py  Alertmanager, Statuspage and our own JSON -> ``NocReport`` (services and regions
            mapped through the settings; an unknown one is a clear error)
signing.py  the credentials each sender can give: bearer token, secret in the URL, HMAC-SHA256
            with a timestamp; compared in constant time
apply.py    a report onto the matching open incident (facts, replies re-written), a new incident
            opened by "noc", or a proposal to a lead to resolve ours
"""
