"""Merchant, KYCSubmission and WebhookSecret move here from `accounts` (its 0004 drops them from its state).

State only: the tables keep their `accounts_*` names (`db_table`), their indexes and constraints, so an
existing database moves with no data copied and no DDL. Written in the autodetector's own terms.
"""

import core.phone
import django.db.models.deletion
import django.utils.timezone
import merchants.models
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        # The tables exist from accounts' migrations up to here.
        ('accounts', '0003_alter_kycsubmission_contact_phone_and_more'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='Merchant',
                    fields=[
                        ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ('company_name', models.CharField(max_length=200)),
                        ('kyc_status', models.CharField(choices=[('not_submitted', 'Not submitted'), ('submitted', 'Submitted'), ('approved', 'Approved'), ('rejected', 'Rejected')], default='not_submitted', max_length=16)),
                        ('is_active', models.BooleanField(default=False)),
                        ('activated_at', models.DateTimeField(blank=True, null=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='merchant', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'accounts_merchant',
                        'ordering': ['company_name'],
                    },
                ),
                migrations.CreateModel(
                    name='KYCSubmission',
                    fields=[
                        ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ('legal_name', models.CharField(max_length=200)),
                        ('registration_number', models.CharField(max_length=100)),
                        ('tax_id', models.CharField(max_length=100)),
                        ('country', models.CharField(max_length=2)),
                        ('address', models.TextField()),
                        ('contact_phone', core.phone.ParsedPhoneNumberModelField(max_length=128, region=None)),
                        ('document', models.FileField(storage=merchants.models.PrivateStorage(), upload_to=merchants.models._kyc_upload_to)),
                        ('document_content_type', models.CharField(max_length=50)),
                        ('status', models.CharField(choices=[('not_submitted', 'Not submitted'), ('submitted', 'Submitted'), ('approved', 'Approved'), ('rejected', 'Rejected')], default='submitted', max_length=16)),
                        ('rejection_reason', models.TextField(blank=True)),
                        ('submitted_at', models.DateTimeField(auto_now_add=True)),
                        ('decided_at', models.DateTimeField(blank=True, null=True)),
                        ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('merchant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='kyc_submissions', to='merchants.merchant')),
                    ],
                    options={
                        'verbose_name': 'KYC submission',
                        'db_table': 'accounts_kycsubmission',
                        'ordering': ['-submitted_at'],
                    },
                ),
                migrations.CreateModel(
                    name='WebhookSecret',
                    fields=[
                        ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ('secret', models.CharField(max_length=100, unique=True)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('expires_at', models.DateTimeField(blank=True, null=True)),
                        ('merchant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='webhook_secrets', to='merchants.merchant')),
                    ],
                    options={
                        'db_table': 'accounts_webhooksecret',
                        'ordering': ['-created_at'],
                    },
                ),
                migrations.AddIndex(
                    model_name='merchant',
                    index=models.Index(fields=['kyc_status'], name='accounts_me_kyc_sta_bbc754_idx'),
                ),
                migrations.AddConstraint(
                    model_name='merchant',
                    constraint=models.CheckConstraint(condition=models.Q(('is_active', False), ('kyc_status', 'approved'), _connector='OR'), name='merchant_active_only_if_approved'),
                ),
                migrations.AddConstraint(
                    model_name='kycsubmission',
                    constraint=models.UniqueConstraint(condition=models.Q(('status__in', ['submitted', 'approved'])), fields=('merchant',), name='one_live_kyc_per_merchant'),
                ),
                migrations.AddConstraint(
                    model_name='kycsubmission',
                    constraint=models.CheckConstraint(condition=models.Q(('status__in', ['submitted', 'approved', 'rejected'])), name='kyc_submission_status_valid'),
                ),
                migrations.AddConstraint(
                    model_name='kycsubmission',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('decided_at__isnull', True), ('status', 'submitted')), models.Q(('decided_at__isnull', False), ('status', 'approved')), models.Q(('decided_at__isnull', False), ('status', 'rejected'), models.Q(('rejection_reason', ''), _negated=True)), _connector='OR'), name='kyc_decision_audited'),
                ),
                migrations.AddIndex(
                    model_name='webhooksecret',
                    index=models.Index(fields=['merchant', 'expires_at'], name='accounts_we_merchan_032c46_idx'),
                ),
                migrations.AddConstraint(
                    model_name='webhooksecret',
                    constraint=models.UniqueConstraint(condition=models.Q(('expires_at__isnull', True)), fields=('merchant',), name='one_current_webhook_secret'),
                ),
            ],
        ),
    ]
