"""Nothing of network meetings is in the admin.

Meetings, minutes, consents, network maps and even the fixed slots (a booked slot leads to a
meeting about a named child) are case data; they are read through the pages, which start from
``cases.access`` and log every read, never through the admin (``herning.E001``). Slots are offered,
booked and released on the team's slot calendar.
"""
