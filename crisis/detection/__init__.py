"""Detection: spikes of complaints become incidents.

The usual number of complaints for each hour of the week (``baseline``), the arithmetic of a
spike (``spikes``), where the customers are (``regions``), the detector that suspects, confirms
and extends incidents (``detector``), the complaints it weighs, by label and by wording
(``complaints``), which other service joins an open one (``joining``), when
to look on the comments' own clock (``times``) and the card that says why (``card``).
"""
