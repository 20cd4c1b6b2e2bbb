"""Accounts are unique on the canonical form of their email (NFKC + casefold, `accounts.managers`).

Existing accounts whose emails share a canonical form are never merged: the migration stops and names them,
so an operator decides which account keeps the address (change or delete the others, then migrate again).
"""

import unicodedata
from collections import defaultdict

from django.db import migrations, models

import accounts.managers


def _canonical(email: str) -> str:
    # Frozen copy of accounts.managers.email_canonical: a migration must not change when that code does.
    folded = unicodedata.normalize("NFKC", email.strip()).casefold()
    return unicodedata.normalize("NFKC", folded)


def fill_canonical_emails(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    groups = defaultdict(list)
    for pk, email in User.objects.order_by("email").values_list("pk", "email").iterator():
        groups[_canonical(email)].append((pk, email))
    clashes = {canonical: users for canonical, users in groups.items() if len(users) > 1}
    if clashes:
        lines = [
            f"  {canonical!r}: " + ", ".join(f"{email!r} (id {pk})" for pk, email in users)
            for canonical, users in sorted(clashes.items())
        ]
        raise RuntimeError(
            "accounts.0006_user_email_canonical: these accounts have emails that are the same address once "
            "normalised (NFKC + case folding), and accounts must be unique on that form:\n"
            + "\n".join(lines)
            + "\nNothing was changed. Accounts are never merged automatically: change the email of, or "
            "delete, all but one account of each group (Django admin or shell), then run migrate again."
        )
    rows = [User(pk=users[0][0], email_canonical=canonical) for canonical, users in groups.items()]
    User.objects.bulk_update(rows, ["email_canonical"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_externalidentity"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="email_canonical",
            field=models.CharField(editable=False, max_length=254, null=True),
        ),
        migrations.RunPython(fill_canonical_emails, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="user",
            name="email_canonical",
            field=models.CharField(editable=False, max_length=254, unique=True),
        ),
        migrations.AlterField(
            model_name="user",
            name="email",
            field=models.EmailField(
                max_length=254, unique=True, validators=[accounts.managers.validate_email_canonical_length]
            ),
        ),
    ]
