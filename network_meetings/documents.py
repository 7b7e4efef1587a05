"""The invitation and the minutes as Herningmodellen 1.0's template has them (Herningmodellen 1.0,
"Skabelon til inddragende netværksmødeindkaldelse" and "Referat fra netværksmøde"): one context
for the page, the PDF and the e-mail, the calendar entry (.ics) and the e-mails themselves.

An e-mail never carries a CPR number, and an anonymous meeting's documents say "et barn".
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from herning.core import ical, letters
from network_meetings import anonymity
from network_meetings.models import Dispatch, NetworkMeeting, Participant
from network_meetings.selectors import previous_open_agreements


def genitive(name: str) -> str:
    """The possessive in the active language: Danish "Emmas", but "Lukas'" after s, x and z;
    English "Emma's", but "Lukas'" after s."""
    if translation.get_language() == "en":
        return f"{name}'" if name[-1:].lower() == "s" else f"{name}'s"
    return f"{name}'" if name[-1:].lower() in {"s", "x", "z"} else f"{name}s"


def invitation_title(meeting: NetworkMeeting) -> str:
    involving = meeting.kind == NetworkMeeting.Kind.INVOLVING
    if meeting.is_anonymous:
        if involving:
            return _("Invitation til inddragende netværksmøde om et barn")
        return _("Invitation til netværksmøde om et barn")
    name = genitive(meeting.child.first_name)
    if involving:
        return _("Invitation til %(name)s inddragende netværksmøde") % {"name": name}
    return _("Invitation til %(name)s netværksmøde") % {"name": name}


def previous_agreements(meeting: NetworkMeeting) -> list[dict]:
    rows = []
    for agreement in previous_open_agreements(meeting):
        text, owner = agreement.text, agreement.owner.label
        if meeting.is_anonymous:
            # The previous meeting may have had consent; this one has not (yet).
            text, owner = anonymity.redact(text, meeting.child), anonymity.redact(owner, meeting.child)
        rows.append({"text": text, "owner": owner, "due_on": agreement.due_on})
    return rows


def invitation_context(meeting: NetworkMeeting) -> dict:
    participants = list(meeting.participants.all())
    return {
        "meeting": meeting,
        "title": invitation_title(meeting),
        "child_name": meeting.child_first_name_for_letters,
        "participants": participants,
        "chair": meeting.chair,
        "previous_agreements": previous_agreements(meeting),
        "today": timezone.localdate(),
    }


def minutes_context(meeting: NetworkMeeting, *, with_cpr: bool) -> dict:
    """``with_cpr``: the printed minutes carry the CPR number the template asks for ("cpr. nr."),
    once consent is recorded; e-mailed minutes never do."""
    participants = list(meeting.participants.all())
    minutes = getattr(meeting, "minutes", None)
    return {
        "meeting": meeting,
        "minutes": minutes,
        "child_name": meeting.child.full_name if meeting.has_consent else _("et barn"),
        "cpr": meeting.child.formatted_cpr if (with_cpr and meeting.has_consent) else "",
        "attended": [p for p in participants if p.attended],
        "agreements": list(meeting.agreements.select_related("owner").order_by("due_on", "pk")),
    }


def letterhead(meeting: NetworkMeeting) -> dict:
    """The municipality's letterhead (``herning.core.letters``) with the meeting's own date (not
    the day it was printed)."""
    return letters.letterhead(
        meeting.municipality, date_label=_("Mødedato:"), date=timezone.localtime(meeting.starts_at).date()
    )


def render_document(template_name: str, context: dict, *, meeting: NetworkMeeting):
    """The laid-out document (WeasyPrint's), on the municipality's letterhead with page numbers."""
    return letters.render_document(template_name, context, letter=letterhead(meeting))


def render_pdf(template_name: str, context: dict, *, meeting: NetworkMeeting) -> bytes:
    return letters.render_pdf(template_name, context, letter=letterhead(meeting))


# --- Calendar ---------------------------------------------------------------------------------


def _uid(meeting: NetworkMeeting) -> str:
    return ical.uid(f"netvaerksmoede-{meeting.pk}")


def calendar_invitation(meeting: NetworkMeeting, *, recipient: Participant, cancel: bool = False) -> bytes:
    """One VEVENT with a stable UID and the meeting's ``sequence``, so a calendar replaces the
    entry when the time changes and removes it when the meeting is cancelled.

    A cancellation keeps the UID with a higher SEQUENCE (``meeting_cancel`` counts it up): clients
    (Outlook first) ignore a CANCEL whose SEQUENCE is not above the entry they hold. The times are
    Danish time with the VTIMEZONE of ``herning.core.ical``, and the names in CN are written by
    ``ical.common_name`` (a double quote in a name becomes a typographic one)."""
    calendar = Calendar()
    calendar.add("prodid", "-//Herning Kommune//Netvaerksmoeder//DA")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancel else "REQUEST")
    calendar.add_component(ical.vtimezone())
    event = Event()
    event.add("uid", _uid(meeting))
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", ical.local(meeting.starts_at))
    event.add("dtend", ical.local(meeting.ends_at))
    event.add("summary", invitation_title(meeting))
    event.add("location", meeting.place)
    event.add("status", "CANCELLED" if cancel else "CONFIRMED")
    event.add(
        "description",
        _("Kontakt %(name)s på telefon %(phone)s ved spørgsmål eller afbud.")
        % {"name": meeting.contact_name, "phone": meeting.contact_phone},
    )
    organizer = vCalAddress(f"mailto:{meeting.contact_email or settings.DEFAULT_FROM_EMAIL}")
    organizer.params["cn"] = vText(ical.common_name(meeting.contact_name))
    event.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{recipient.email}")
    attendee.params["cn"] = vText(ical.common_name(recipient.name or str(recipient.get_function_display())))
    attendee.params["rsvp"] = vText("FALSE")
    event.add("attendee", attendee)
    calendar.add_component(event)
    return calendar.to_ical()


# --- E-mail -----------------------------------------------------------------------------------

_EMAIL_TEMPLATES = {
    Dispatch.Kind.INVITATION: "emails/network_meetings/invitation",
    Dispatch.Kind.CANCELLATION: "emails/network_meetings/cancellation",
    Dispatch.Kind.MINUTES: "emails/network_meetings/minutes",
}


def email_for(dispatch: Dispatch) -> EmailMessage:
    """The e-mail of ``dispatch``, in Danish (the citizens' and schools' language)."""
    meeting, recipient = dispatch.meeting, dispatch.participant
    with translation.override(settings.LANGUAGE_CODE):
        if dispatch.kind == Dispatch.Kind.MINUTES:
            context = minutes_context(meeting, with_cpr=False)
        else:
            context = invitation_context(meeting)
        context["recipient"] = recipient
        base = _EMAIL_TEMPLATES[dispatch.kind]
        subject = " ".join(render_to_string(f"{base}_subject.txt", context).split())
        body = render_to_string(f"{base}.txt", context)
        message = EmailMessage(
            subject=settings.EMAIL_SUBJECT_PREFIX + subject,
            body=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[dispatch.email],
            reply_to=[meeting.contact_email] if meeting.contact_email else None,
        )
        if dispatch.kind != Dispatch.Kind.MINUTES:
            message.attach(
                "invitation.ics",
                calendar_invitation(
                    meeting, recipient=recipient, cancel=dispatch.kind == Dispatch.Kind.CANCELLATION
                ),
                "text/calendar",
            )
    return message


def pdf_filename(kind: str, meeting: NetworkMeeting) -> str:
    """No name in a file name: downloads end up in folders and mail attachments."""
    return f"{kind}-{timezone.localtime(meeting.starts_at):%Y-%m-%d}-{meeting.pk}.pdf"
