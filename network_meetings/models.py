"""Network meetings (netværksmøder), their participants, consent, minutes and agreements, the
child's network map (netværkskort) and the teams' fixed meeting slots.

Sources: Herningmodellen 1.0 "Netværksmøder og inddragende netværksmøder" (the two kinds, the
invitation and minutes template, fixed slots released after a week) and "Bedre afklaring af
netværk" (a network map made with the parents and the child in every new investigation).

Who may read a meeting is decided by ``NetworkMeeting.objects.visible_to``, built on
``cases.access``; the meeting's participants, consent, minutes, agreements and dispatches follow the
meeting's rule, the network map the child's. Writes go through ``network_meetings.services``; in particular
the consent gate (a meeting holds no CPR and no child name until the custody holders consented)
is enforced there, not in forms.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cases.access import CaseDataQuerySet, MunicipalityDataQuerySet
from herning.core.querysets import is_active_staff


class NetworkMeetingQuerySet(CaseDataQuerySet):
    def visible_to(self, user, *, readable_child=None):
        """The meetings ``user`` may read: those on a case they may read, those on a child without
        a case whom they may read (``cases.access``), and those they take part in as staff.

        ``readable_child``: only the meetings about this child, whom the caller read through
        ``Child.objects.visible_to(user)`` (the child page's panels are given such a child). The
        rows are those of ``visible_to(user).filter(child=readable_child)``; the child's meetings
        without a case are then read without asking again whether the child is readable, which
        nests the case rule twice more and cost 7 ms of CPU in building the SQL alone for each
        child page at national scale (benchmarks/RESULTS.md)."""
        from cases.models import Case, Child

        if not is_active_staff(user):
            return self.none()
        cases = Case.objects.visible_to(user)
        if readable_child is None:
            on_child = models.Q(case__isnull=True, child__in=Child.objects.visible_to(user))
        else:
            self = self.filter(child=readable_child)
            cases = cases.filter(child=readable_child)
            on_child = models.Q(case__isnull=True)
        on_case = models.Q(case__isnull=False, case__in=cases)
        takes_part = models.Q(
            models.Exists(Participant.objects.for_system().filter(meeting=models.OuterRef("pk"), user=user))
        )
        return self.filter(on_case | on_child | takes_part).filter(municipality_id=user.municipality_id)


class MeetingSlotQuerySet(MunicipalityDataQuerySet):
    """A team's calendar of free times, read by the staff of its municipality; a booked slot
    names only the meeting, which is read through its own rule."""

    municipality_path = "team__district__municipality"


class NetworkMeeting(models.Model):
    """A netværksmøde or an inddragende netværksmøde (involving network meeting) about one child.

    It belongs to the child's case, or to the child alone while no case is open (a school's
    concern). Until consent of the custody holder(s) is recorded (``consent_given_at``) the meeting
    is anonymous: nothing stored, shown, printed or mailed names the child or carries a CPR number.
    """

    class Kind(models.TextChoices):
        NETWORK = "network", _("Netværksmøde")
        INVOLVING = "involving", _("Inddragende netværksmøde")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planlagt")
        HELD = "held", _("Afholdt")
        CANCELLED = "cancelled", _("Aflyst")

    municipality = models.ForeignKey(
        "organisation.Municipality", on_delete=models.PROTECT, related_name="+", verbose_name=_("kommune")
    )
    child = models.ForeignKey(
        "cases.Child", on_delete=models.PROTECT, related_name="network_meetings", verbose_name=_("barn")
    )
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="network_meetings",
        verbose_name=_("sag"),
    )
    team = models.ForeignKey(
        "organisation.Team", on_delete=models.PROTECT, related_name="network_meetings", verbose_name=_("team")
    )
    kind = models.CharField(_("mødeform"), max_length=20, choices=Kind.choices, default=Kind.NETWORK)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    starts_at = models.DateTimeField(_("starter"))
    ends_at = models.DateTimeField(_("slutter"))
    place = models.CharField(_("sted"), max_length=200)
    purpose = models.TextField(_("formål med mødet"))
    reason = models.TextField(_("vi mødes fordi …"))
    agenda = models.TextField(_("dagsorden"), blank=True)
    agenda_made_with_parents = models.BooleanField(_("dagsordenen er lavet med forældrene"), default=False)
    procedure = models.TextField(_("sådan forløber mødet"), blank=True)
    initiator_name = models.CharField(_("initiativtager"), max_length=200)
    initiator_function = models.CharField(_("initiativtagers funktion"), max_length=200)
    initiator_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("initiativtager (medarbejder)"),
    )
    chair = models.ForeignKey(
        "Participant",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("mødeleder"),
    )
    minute_taker = models.ForeignKey(
        "Participant",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("referent"),
    )
    contact_name = models.CharField(_("kontaktperson"), max_length=200)
    contact_phone = models.CharField(_("kontaktpersonens telefon"), max_length=30)
    contact_email = models.EmailField(_("kontaktpersonens e-mail"), blank=True)
    concern_noted_on = models.DateField(
        _("bekymringen opstod"),
        null=True,
        blank=True,
        help_text=_("Hvornår bekymringen blev rejst, hvis der ikke er en underretning."),
    )
    previous_meeting = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_up_meetings",
        verbose_name=_("opfølgning på mødet"),
    )
    consent_given_at = models.DateTimeField(_("samtykke foreligger"), null=True, blank=True, editable=False)
    sequence = models.PositiveIntegerField(
        _("kalenderversion"),
        default=0,
        editable=False,
        help_text=_("Tælles op, når tid eller sted ændres, så kalenderen opdaterer invitationen."),
    )
    cancelled_at = models.DateTimeField(_("aflyst"), null=True, blank=True, editable=False)
    cancellation_note = models.CharField(_("begrundelse for aflysning"), max_length=250, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("oprettet af")
    )
    created_at = models.DateTimeField(_("oprettet"), auto_now_add=True)
    updated_at = models.DateTimeField(_("ændret"), auto_now=True)
    objects = NetworkMeetingQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("netværksmøde")
        verbose_name_plural = _("netværksmøder")
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="network_meeting_ends_after_start",
                violation_error_message=_("Mødet skal slutte efter, det er begyndt."),
            ),
        ]
        indexes = [
            models.Index(fields=["team", "-starts_at"], name="nm_team_start_idx"),
            models.Index(fields=["child", "-starts_at"], name="nm_child_start_idx"),
            models.Index(fields=["case", "starts_at"], name="nm_case_start_idx"),
        ]

    def __str__(self) -> str:
        # Never the child's name: the string shows in the admin and in history, where the consent
        # gate cannot be checked.
        when = timezone.localtime(self.starts_at).strftime("%d.%m.%Y") if self.starts_at else ""
        return f"{self.get_kind_display()} {when} (#{self.pk})"

    @property
    def has_consent(self) -> bool:
        return self.consent_given_at is not None

    @property
    def is_anonymous(self) -> bool:
        return self.consent_given_at is None

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def child_initials(self) -> str:
        parts = f"{self.child.first_name} {self.child.last_name}".replace("-", " ").split()
        return ".".join(p[0].upper() for p in parts if p) + "." if parts else ""

    @property
    def child_label(self) -> str:
        """How pages name the child: the name with consent, initials without."""
        if self.has_consent:
            return self.child.full_name
        return _("et barn (%(initials)s)") % {"initials": self.child_initials}

    @property
    def child_first_name_for_letters(self) -> str:
        """How invitations and e-mails name the child: the first name with consent, else "et barn"."""
        return self.child.first_name if self.has_consent else str(_("et barn"))

    def clean(self) -> None:
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("Mødet skal slutte efter, det er begyndt.")
        if self.child_id and self.municipality_id and self.child.municipality_id != self.municipality_id:
            errors["child"] = _("Barnet hører til en anden kommune.")
        if self.case_id and self.child_id and self.case.child_id != self.child_id:
            errors["case"] = _("Sagen hører til et andet barn.")
        for field in ("chair", "minute_taker"):
            participant = getattr(self, field)
            if participant is not None and participant.meeting_id != self.pk:
                errors[field] = _("Vælg en af mødets deltagere.")
        if self.previous_meeting_id and self.previous_meeting.child_id != self.child_id:
            errors["previous_meeting"] = _("Det forrige møde handlede om et andet barn.")
        if errors:
            raise ValidationError(errors)


class ParticipantQuerySet(CaseDataQuerySet):
    parent_path = "meeting"


class Participant(models.Model):
    """Someone invited to a meeting, by function and, where possible, name (Herningmodellen 1.0:
    "Deltagere skal være angivet ved funktion og navn hvis muligt"). School staff and the family
    are not users; the PPR psychologist, the health visitor and the advisor usually are, and a
    staff participant may read the meeting."""

    class Function(models.TextChoices):
        CHILD = "child", _("Barnet/den unge selv")
        PARENT = "parent", _("Forælder")
        OWN_NETWORK = "own_network", _("Familiens eget netværk")
        SCHOOL_LEADER = "school_leader", _("Skoleleder")
        TEACHER = "teacher", _("Lærer/pædagog")
        PSYCHOLOGIST = "psychologist", _("PPR-psykolog")
        ADVISOR = "advisor", _("Socialrådgiver")
        HEALTH_VISITOR = "health_visitor", _("Sundhedsplejerske")
        OTHER = "other", _("Anden")

    class InvitationStatus(models.TextChoices):
        NOT_INVITED = "not_invited", _("Ikke inviteret")
        INVITED = "invited", _("Inviteret")
        ACCEPTED = "accepted", _("Kommer")
        DECLINED = "declined", _("Har meldt afbud")

    meeting = models.ForeignKey(
        NetworkMeeting, on_delete=models.CASCADE, related_name="participants", verbose_name=_("møde")
    )
    function = models.CharField(_("funktion"), max_length=20, choices=Function.choices)
    name = models.CharField(_("navn"), max_length=200, blank=True)
    organisation = models.CharField(
        _("arbejdssted"), max_length=200, blank=True, help_text=_("Fx skolens navn eller PPR.")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="network_meeting_participations",
        verbose_name=_("medarbejder"),
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("telefon"), max_length=30, blank=True)
    invitation_status = models.CharField(
        _("invitation"),
        max_length=20,
        choices=InvitationStatus.choices,
        default=InvitationStatus.NOT_INVITED,
    )
    invitation_status_at = models.DateTimeField(_("status ændret"), null=True, blank=True)
    attended = models.BooleanField(_("deltog"), null=True, blank=True)
    objects = ParticipantQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("deltager")
        verbose_name_plural = _("deltagere")
        ordering = ["meeting", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "user"],
                condition=models.Q(user__isnull=False),
                name="participant_staff_once_per_meeting",
                violation_error_message=_("Medarbejderen deltager allerede i mødet."),
            ),
        ]
        indexes = [models.Index(fields=["user", "meeting"], name="participant_user_idx")]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """Name and function, as the invitation lists them: "Per Olsen, skoleleder (Sunds Skole)"."""
        function = str(self.get_function_display())
        if self.name:
            # "PPR-psykolog" keeps its capitals; "Skoleleder" reads "skoleleder" after a name.
            lowered = function if function[1:2].isupper() else function[:1].lower() + function[1:]
            text = f"{self.name}, {lowered}"
        else:
            text = function
        return f"{text} ({self.organisation})" if self.organisation else text

    @property
    def was_invited(self) -> bool:
        return self.invitation_status != self.InvitationStatus.NOT_INVITED


class ConsentQuerySet(CaseDataQuerySet):
    parent_path = "meeting"


class Consent(models.Model):
    """A custody holder's consent to discussing the named child (Herningmodellen 1.0: "Såfremt der
    fremlægges sager af specifik karakter med navn etc. forudsætter det samtykke fra
    forældremyndighedsindehaver"): who, when and how."""

    class Method(models.TextChoices):
        WRITTEN = "written", _("Skriftligt (underskrevet)")
        DIGITAL = "digital", _("Digitalt (fx Digital Post eller e-mail)")
        ORAL = "oral", _("Mundtligt (noteret af medarbejderen)")

    meeting = models.ForeignKey(
        NetworkMeeting, on_delete=models.CASCADE, related_name="consents", verbose_name=_("møde")
    )
    custody_holder = models.ForeignKey(
        "cases.Relation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("forældremyndighedsindehaver"),
    )
    given_by_name = models.CharField(_("givet af"), max_length=200)
    given_on = models.DateField(_("givet den"))
    method = models.CharField(_("hvordan"), max_length=20, choices=Method.choices)
    note = models.CharField(_("bemærkning"), max_length=250, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("registreret af")
    )
    recorded_at = models.DateTimeField(_("registreret"), default=timezone.now)
    objects = ConsentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("samtykke")
        verbose_name_plural = _("samtykker")
        ordering = ["meeting", "given_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "custody_holder"],
                condition=models.Q(custody_holder__isnull=False),
                name="consent_once_per_custody_holder",
                violation_error_message=_("Samtykket fra denne forældremyndighedsindehaver er registreret."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.given_by_name} {self.given_on:%d.%m.%Y} ({self.get_method_display()})"


class MinutesQuerySet(CaseDataQuerySet):
    parent_path = "meeting"


class Minutes(models.Model):
    """The decision minutes (beslutningsreferat) with the template's sections; agreements are rows
    of their own. Sent to everyone invited, after which they are read-only."""

    meeting = models.OneToOneField(
        NetworkMeeting, on_delete=models.CASCADE, related_name="minutes", verbose_name=_("møde")
    )
    concerns = models.TextField(_("bekymringer"), blank=True)
    working = models.TextField(_("fungerer"), blank=True)
    want_to_see = models.TextField(_("hvad vil vi se ske"), blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("skrevet af")
    )
    updated_at = models.DateTimeField(_("ændret"), auto_now=True)
    sent_at = models.DateTimeField(_("sendt"), null=True, blank=True, editable=False)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sendt af"),
    )
    objects = MinutesQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("referat")
        verbose_name_plural = _("referater")

    def __str__(self) -> str:
        return _("Referat af %(meeting)s") % {"meeting": self.meeting}

    @property
    def is_sent(self) -> bool:
        return self.sent_at is not None


class AgreementQuerySet(CaseDataQuerySet):
    parent_path = "meeting"

    def open(self):
        return self.filter(done_at__isnull=True)


class Agreement(models.Model):
    """An agreement (aftale / løsning): what, who (a participant) and by when. Agreements of staff
    (``owner_user``) feed the reminder engine and the advisor's day through
    ``selectors.open_staff_agreements``."""

    meeting = models.ForeignKey(
        NetworkMeeting, on_delete=models.CASCADE, related_name="agreements", verbose_name=_("møde")
    )
    text = models.TextField(_("aftale"))
    owner = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="agreements", verbose_name=_("ansvarlig")
    )
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="network_meeting_agreements",
        verbose_name=_("ansvarlig medarbejder"),
        editable=False,
    )
    due_on = models.DateField(_("senest"))
    done_at = models.DateTimeField(_("udført"), null=True, blank=True, editable=False)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("markeret udført af"),
    )
    done_note = models.CharField(_("bemærkning"), max_length=250, blank=True)
    created_at = models.DateTimeField(_("oprettet"), auto_now_add=True)

    objects = AgreementQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("aftale")
        verbose_name_plural = _("aftaler")
        ordering = ["meeting", "due_on", "pk"]
        indexes = [
            models.Index(
                fields=["owner_user", "due_on"],
                condition=models.Q(done_at__isnull=True, owner_user__isnull=False),
                name="agreement_open_staff_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    def clean(self) -> None:
        if self.owner_id and self.meeting_id and self.owner.meeting_id != self.meeting_id:
            raise ValidationError({"owner": _("Den ansvarlige skal være en af mødets deltagere.")})


class DispatchQuerySet(CaseDataQuerySet):
    parent_path = "meeting"


class Dispatch(models.Model):
    """One e-mail to one participant: an invitation (per calendar version), a cancellation or the
    minutes. Written in the same transaction as the change that causes it and sent by a Celery
    task after commit; the unique key makes sending twice impossible to ask for, and a row
    without ``sent_at`` is work still to do."""

    class Kind(models.TextChoices):
        INVITATION = "invitation", _("Invitation")
        CANCELLATION = "cancellation", _("Aflysning")
        MINUTES = "minutes", _("Referat")

    meeting = models.ForeignKey(
        NetworkMeeting, on_delete=models.CASCADE, related_name="dispatches", verbose_name=_("møde")
    )
    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="dispatches", verbose_name=_("deltager")
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    sequence = models.PositiveIntegerField(_("kalenderversion"), default=0)
    email = models.EmailField(_("e-mail"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("sendt af")
    )
    created_at = models.DateTimeField(_("bestilt"), default=timezone.now)
    sent_at = models.DateTimeField(_("afsendt"), null=True, blank=True)
    objects = DispatchQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("udsendelse")
        verbose_name_plural = _("udsendelser")
        ordering = ["meeting", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "kind", "sequence"], name="dispatch_once_per_participant_and_version"
            ),
        ]
        indexes = [
            models.Index(
                fields=["created_at"], condition=models.Q(sent_at__isnull=True), name="dispatch_due_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.participant_id} ({self.sequence})"


class NetworkMapQuerySet(CaseDataQuerySet):
    child_path = "child"


class NetworkMap(models.Model):
    """One version of a child's network map (netværkskort): the people and professionals around
    the child, made with the parents and the child. From 2016 every new investigation includes one
    (Herningmodellen 1.0 "Bedre afklaring af netværk": "Ved alle nye § 50 undersøgelser udarbejdes
    netværksskort med både forældre og børn/unge"). A new version starts as a copy of the previous
    one; earlier versions are kept and read-only."""

    child = models.ForeignKey(
        "cases.Child", on_delete=models.PROTECT, related_name="network_maps", verbose_name=_("barn")
    )
    version = models.PositiveIntegerField(_("version"))
    investigation = models.ForeignKey(
        "cases.Investigation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="network_maps",
        verbose_name=_("børnefaglig undersøgelse"),
    )
    made_on = models.DateField(_("udarbejdet den"), default=timezone.localdate)
    made_with_parents = models.BooleanField(_("udarbejdet med forældrene"), default=False)
    made_with_child = models.BooleanField(_("udarbejdet med barnet/den unge"), default=False)
    note = models.TextField(_("bemærkning"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("oprettet af")
    )
    created_at = models.DateTimeField(_("oprettet"), auto_now_add=True)
    objects = NetworkMapQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("netværkskort")
        verbose_name_plural = _("netværkskort")
        ordering = ["child", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["child", "version"], name="network_map_unique_version"),
        ]

    def __str__(self) -> str:
        return _("Netværkskort version %(version)s") % {"version": self.version}

    def clean(self) -> None:
        if self.investigation_id and self.child_id and self.investigation.case.child_id != self.child_id:
            raise ValidationError({"investigation": _("Undersøgelsen hører til et andet barn.")})


class NetworkMapPersonQuerySet(CaseDataQuerySet):
    child_path = "network_map__child"


class NetworkMapPerson(models.Model):
    """Someone on the network map: who, their relation to the child, how close, and whether they
    are a resource or a concern (or both)."""

    class Kind(models.TextChoices):
        PARENT = "parent", _("Forælder")
        SIBLING = "sibling", _("Søskende")
        FAMILY = "family", _("Anden familie")
        FRIEND = "friend", _("Ven, nabo eller andet netværk")
        SCHOOL = "school", _("Skole eller dagtilbud")
        PSYCHOLOGIST = "psychologist", _("PPR-psykolog")
        HEALTH_VISITOR = "health_visitor", _("Sundhedsplejerske")
        ADVISOR = "advisor", _("Socialrådgiver")
        PROFESSIONAL = "professional", _("Anden fagperson")

    class Sector(models.TextChoices):
        FAMILY = "family", _("Familie")
        NETWORK = "network", _("Venner og netværk")
        SCHOOL = "school", _("Skole og dagtilbud")
        PROFESSIONALS = "professionals", _("Fagpersoner")

    class Significance(models.TextChoices):
        RESOURCE = "resource", _("Ressource")
        CONCERN = "concern", _("Bekymring")
        BOTH = "both", _("Både ressource og bekymring")

    class Closeness(models.IntegerChoices):
        CLOSE = 1, _("Tæt på")
        MIDDLE = 2, _("Et stykke fra")
        DISTANT = 3, _("Langt fra")

    SECTOR_OF_KIND = {
        Kind.PARENT: Sector.FAMILY,
        Kind.SIBLING: Sector.FAMILY,
        Kind.FAMILY: Sector.FAMILY,
        Kind.FRIEND: Sector.NETWORK,
        Kind.SCHOOL: Sector.SCHOOL,
        Kind.PSYCHOLOGIST: Sector.PROFESSIONALS,
        Kind.HEALTH_VISITOR: Sector.PROFESSIONALS,
        Kind.ADVISOR: Sector.PROFESSIONALS,
        Kind.PROFESSIONAL: Sector.PROFESSIONALS,
    }

    network_map = models.ForeignKey(
        NetworkMap, on_delete=models.CASCADE, related_name="people", verbose_name=_("netværkskort")
    )
    name = models.CharField(_("navn"), max_length=200)
    kind = models.CharField(_("hvem"), max_length=20, choices=Kind.choices)
    relation = models.CharField(
        _("relation til barnet"), max_length=200, blank=True, help_text=_("Fx moster, nabo, klasselærer.")
    )
    significance = models.CharField(
        _("ressource eller bekymring"), max_length=20, choices=Significance.choices
    )
    closeness = models.PositiveSmallIntegerField(
        _("hvor tæt på barnet"), choices=Closeness.choices, default=Closeness.CLOSE
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("medarbejder"),
    )
    phone = models.CharField(_("telefon"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    note = models.CharField(_("bemærkning"), max_length=250, blank=True)
    objects = NetworkMapPersonQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("person på netværkskortet")
        verbose_name_plural = _("personer på netværkskortet")
        ordering = ["network_map", "closeness", "kind", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    @property
    def sector(self) -> str:
        return self.SECTOR_OF_KIND[self.kind]

    def get_sector_display(self) -> str:
        return self.Sector(self.sector).label


class MeetingSlot(models.Model):
    """A fixed time a team keeps free for network meetings (Herningmodellen 1.0: "Fastsat tid til
    afholdelse af netværksmøder i kalenderen for at reducere responstiden"). A slot not booked
    within a week of being offered is released ("Hvis man inden for én uge ikke er indkaldt, kan
    man for nuværende selv disponere over tiden") by a periodic task."""

    class Status(models.TextChoices):
        OPEN = "open", _("Ledig")
        BOOKED = "booked", _("Booket")
        RELEASED = "released", _("Frigivet")

    team = models.ForeignKey(
        "organisation.Team", on_delete=models.PROTECT, related_name="meeting_slots", verbose_name=_("team")
    )
    starts_at = models.DateTimeField(_("starter"))
    ends_at = models.DateTimeField(_("slutter"))
    place = models.CharField(_("sted"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("udbudt af")
    )
    offered_at = models.DateTimeField(_("udbudt"), default=timezone.now)
    release_at = models.DateTimeField(
        _("frigives"), help_text=_("Er tiden ikke booket til da, frigives den.")
    )
    meeting = models.OneToOneField(
        NetworkMeeting,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="slot",
        verbose_name=_("møde"),
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("booket af"),
    )
    booked_at = models.DateTimeField(_("booket"), null=True, blank=True)
    released_at = models.DateTimeField(_("frigivet"), null=True, blank=True)
    objects = MeetingSlotQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("fast mødetid")
        verbose_name_plural = _("faste mødetider")
        ordering = ["starts_at", "team"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="meeting_slot_ends_after_start",
                violation_error_message=_("Tiden skal slutte efter, den er begyndt."),
            ),
            models.UniqueConstraint(
                fields=["team", "starts_at"],
                name="meeting_slot_unique_start_per_team",
                violation_error_message=_("Teamet har allerede en mødetid, der starter på det tidspunkt."),
            ),
            models.CheckConstraint(
                condition=models.Q(status="booked", meeting__isnull=False) | ~models.Q(status="booked"),
                name="meeting_slot_booked_has_meeting",
            ),
        ]
        indexes = [
            models.Index(
                fields=["release_at"], condition=models.Q(status="open"), name="slot_open_release_idx"
            ),
            models.Index(fields=["team", "starts_at"], name="slot_team_start_idx"),
        ]

    def __str__(self) -> str:
        start = timezone.localtime(self.starts_at)
        return f"{self.team} {start:%d.%m.%Y %H:%M}"

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("Tiden skal slutte efter, den er begyndt.")})
