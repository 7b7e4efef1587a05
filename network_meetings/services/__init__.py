"""Writes for network meetings, network maps and meeting slots.

Keyword-only, ``full_clean()`` before save, one transaction each; e-mail goes out after commit in
a Celery task (``tasks.deliver_dispatches``). What the data must satisfy is checked here, the
consent gate included (``anonymity.check_texts``). The package is the app's one write interface
(``from network_meetings import services``); its modules follow the record they write.
"""

from network_meetings.services.common import (
    CALENDAR_FIELDS,
    DEFAULT_PROCEDURE,
    DEFAULT_PURPOSE,
    FAMILY_FUNCTIONS,
    MEETING_FIELDS,
    MEETING_PROFESSIONAL_FIELDS,
    MEETING_TEXT_FIELDS,
    MEETING_TIME_FIELDS,
    SLOT_RELEASE_AFTER,
)
from network_meetings.services.consent import consent_record, custody_holders, missing_consents
from network_meetings.services.documents import (
    agreement_add,
    agreement_mark_done,
    agreement_remove,
    dispatch_deliver,
    invitation_send,
    minutes_recipients_without_email,
    minutes_save,
    minutes_send,
    pending_dispatch_ids,
)
from network_meetings.services.meetings import (
    meeting_cancel,
    meeting_plan,
    meeting_plan_follow_up,
    meeting_set_roles,
    meeting_update,
)
from network_meetings.services.network_maps import (
    network_map_new_version,
    network_map_person_add,
    network_map_person_remove,
    network_map_person_update,
    network_map_update,
)
from network_meetings.services.participants import (
    PARTICIPANT_FUNCTION_OF_MAP_KIND,
    participant_add,
    participant_remove,
    participant_set_status,
    participant_update,
    participants_from_network_map,
)
from network_meetings.services.slots import release_unbooked_slots, slot_book, slot_release, slots_offer

__all__ = [
    "CALENDAR_FIELDS",
    "DEFAULT_PROCEDURE",
    "DEFAULT_PURPOSE",
    "FAMILY_FUNCTIONS",
    "MEETING_FIELDS",
    "MEETING_PROFESSIONAL_FIELDS",
    "MEETING_TEXT_FIELDS",
    "MEETING_TIME_FIELDS",
    "PARTICIPANT_FUNCTION_OF_MAP_KIND",
    "SLOT_RELEASE_AFTER",
    "agreement_add",
    "agreement_mark_done",
    "agreement_remove",
    "consent_record",
    "custody_holders",
    "dispatch_deliver",
    "invitation_send",
    "meeting_cancel",
    "meeting_plan",
    "meeting_plan_follow_up",
    "meeting_set_roles",
    "meeting_update",
    "minutes_recipients_without_email",
    "minutes_save",
    "minutes_send",
    "missing_consents",
    "network_map_new_version",
    "network_map_person_add",
    "network_map_person_remove",
    "network_map_person_update",
    "network_map_update",
    "participant_add",
    "participant_remove",
    "participant_set_status",
    "participant_update",
    "participants_from_network_map",
    "pending_dispatch_ids",
    "release_unbooked_slots",
    "slot_book",
    "slot_release",
    "slots_offer",
]
