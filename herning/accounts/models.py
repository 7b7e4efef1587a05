"""Backup codes for the second factor, kept only as salted hashes.

django-otp's own static device keeps its tokens in plain text, so anyone who can read the database
(a backup, a support dump) could pass any member of staff's second factor. Here a code is shown
once when it is made and only its hash is kept, the way a password is.
"""

from __future__ import annotations

from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin

# The characters a backup code is made of: Crockford's base32, without I, L, O and U, which are
# easily misread; what a person types is read the same way (see ``normalise_code``).
CODE_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
_READ_AS = str.maketrans({"i": "1", "l": "1", "o": "0"})


def normalise_code(token: str) -> str:
    """A typed code as it was made: lower case, without spaces or dashes, misread letters mended."""
    return token.strip().lower().replace(" ", "").replace("-", "").translate(_READ_AS)


class BackupCodeHasher(PBKDF2PasswordHasher):
    """PBKDF2 with a salt per code. Fewer rounds than for passwords: a code is random (60 bits),
    so the rounds only slow down a guess at the older, shorter codes, and a login may have to try
    all ten codes of the person."""

    iterations = 20_000


class BackupCodeDevice(TimestampMixin, ThrottlingMixin, Device):
    """A person's set of single-use backup codes (reservekoder), used when the phone is not at hand."""

    class Meta:
        verbose_name = _("reservekoder")
        verbose_name_plural = _("reservekoder")

    def get_throttle_factor(self) -> int:
        return 1

    def verify_token(self, token) -> bool:
        allowed, _ = self.verify_is_allowed()
        if not allowed:
            return False
        token = normalise_code(str(token))
        hasher = BackupCodeHasher()
        for code in self.codes.all():
            if hasher.verify(token, code.code_hash):
                # Deleting the row is what makes the code single-use; only the request that
                # deletes it passes, so two logins racing with the same code cannot both succeed.
                with transaction.atomic():
                    used = BackupCode.objects.filter(pk=code.pk).delete()[0] == 1
                if used:
                    self.throttle_reset(commit=False)
                    self.set_last_used_timestamp(commit=False)
                    self.save()
                return used
        self.throttle_increment()
        return False


class BackupCode(models.Model):
    """One unused backup code, as its salted hash (``BackupCodeHasher``); a used code is deleted."""

    device = models.ForeignKey(BackupCodeDevice, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=128)

    class Meta:
        verbose_name = _("reservekode")
        verbose_name_plural = _("reservekoder")

    def __str__(self) -> str:
        return f"{self.device} #{self.pk}"

    @staticmethod
    def hash(code: str) -> str:
        hasher = BackupCodeHasher()
        return hasher.encode(normalise_code(code), hasher.salt())
