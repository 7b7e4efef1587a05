from django.dispatch import Signal

# Sent inside the transaction of every service that starts, ends or changes a measure, with
# ``measure``. The follow-up engine listens to recompute the measure's next deadline.
measure_changed = Signal()
