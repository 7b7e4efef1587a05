from django.dispatch import Signal

# Sent inside the transaction of every service that adds an agreement, marks one done or cancels
# the meeting it belongs to, with ``agreement``. The reminder engine listens to keep reminders of
# staff agreements (``selectors.open_staff_agreements``) up to date.
agreement_changed = Signal()
