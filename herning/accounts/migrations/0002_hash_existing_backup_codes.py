"""Moves the backup codes django-otp's static device kept in plain text into hashed backup codes,
then deletes the plain ones. A person's printed codes keep working; nobody can read them back."""

from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import migrations


class _Hasher(PBKDF2PasswordHasher):
    # As herning.accounts.models.BackupCodeHasher when this migration was written; a migration
    # must not change with the model module.
    iterations = 20_000


def _normalise(token):
    # As herning.accounts.models.normalise_code: the typed code is read this way before it is checked.
    plain = token.strip().lower().replace(" ", "").replace("-", "")
    return plain.translate(str.maketrans({"i": "1", "l": "1", "o": "0"}))


def hash_plain_codes(apps, schema_editor):
    StaticDevice = apps.get_model("otp_static", "StaticDevice")
    BackupCodeDevice = apps.get_model("accounts", "BackupCodeDevice")
    BackupCode = apps.get_model("accounts", "BackupCode")
    hasher = _Hasher()
    for static in StaticDevice.objects.prefetch_related("token_set").iterator(chunk_size=200):
        device = BackupCodeDevice.objects.create(
            user_id=static.user_id,
            name=static.name,
            confirmed=static.confirmed,
            last_used_at=static.last_used_at,
        )
        BackupCode.objects.bulk_create(
            BackupCode(device=device, code_hash=hasher.encode(_normalise(token.token), hasher.salt()))
            for token in static.token_set.all()
        )
        static.delete()  # its tokens go with it


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_backup_codes"),
        ("otp_static", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(hash_plain_codes, migrations.RunPython.noop)]
