"""Pages for network meetings, the network map and the meeting slots, one module per page group.

Every meeting page starts from ``common.visible_meeting`` (404 outside what the person may read)
and every map page from ``Child.objects.visible_to``; changing something the person may read but
not change is 403 with a reason. Every read of a child's data is logged.
"""
