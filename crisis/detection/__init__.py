"""Detection: spikes of complaints become incidents.

The usual number of complaints for each hour of the week (``baseline``), the arithmetic of a
spike (``spikes``), where the customers are (``regions``), the detector that opens an incident
(``detector``) and the card that says why (``card``).
"""
