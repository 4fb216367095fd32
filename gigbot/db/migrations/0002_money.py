from tortoise import migrations
from tortoise.migrations import operations as ops
from gigbot.db.models import EntryKind
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index
from tortoise.migrations.constraints import UniqueConstraint

class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='PayoutAccount',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('worker', fields.OneToOneField('models.User', source_field='worker_id', db_constraint=True, to_field='id', related_name='payout_account', on_delete=OnDelete.CASCADE)),
                ('secret', fields.TextField(unique=False)),
                ('masked', fields.CharField(max_length=80)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'payout_account', 'app': 'models', 'pk_attr': 'id', 'table_description': 'Where a worker is paid: bank, holder and number, encrypted (Fernet). Owner: payouts.'},
            bases=['GigModel'],
        ),
        ops.AddField(
            model_name='Answer',
            name='decided_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Answer',
            name='decided_by',
            field=fields.BigIntField(null=True),
        ),
        ops.AddField(
            model_name='Answer',
            name='reject_note',
            field=fields.TextField(null=True, unique=False),
        ),
        ops.AddIndex(
            model_name='Answer',
            index=Index(fields=['status', 'created_at']),
        ),
        ops.AddConstraint(
            model_name='Appeal',
            constraint=UniqueConstraint(fields=('answer',), name=None),
        ),
        ops.AlterField(
            model_name='LedgerEntry',
            name='kind',
            field=fields.CharEnumField(description='EARNING: earning\nREJECTION: rejection\nREVERSAL: reversal\nBONUS: bonus\nPAYOUT: payout\nWITHHOLDING: withholding\nADJUSTMENT: adjustment\nREVIEW: review', enum_type=EntryKind, max_length=16),
        ),
        ops.AddField(
            model_name='Project',
            name='review_reward',
            field=fields.BigIntField(default=0, db_default=0),
        ),
        ops.AlterModelOptions(
            name='PayoutRequest',
            options={'table': 'payout_request', 'app': 'models', 'indexes': [Index(fields=['status', 'id']), Index(fields=['worker_id', 'status'])], 'pk_attr': 'id', 'table_description': 'A withdrawal request: gross, withholding, net, decided by an admin. Owner: payouts.'},
        ),
        ops.AddField(
            model_name='PayoutRequest',
            name='account',
            field=fields.TextField(default='', db_default='', unique=False),
        ),
        ops.AddField(
            model_name='PayoutRequest',
            name='account_masked',
            field=fields.CharField(default='', db_default='', max_length=80),
        ),
        ops.AddField(
            model_name='PayoutRequest',
            name='available_seen',
            field=fields.BigIntField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='PayoutRequest',
            name='confirmed_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='PayoutRequest',
            name='paid_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='PayoutRequest',
            name='paid_by',
            field=fields.CharField(null=True, max_length=32),
        ),
        ops.AddField(
            model_name='PayoutRequest',
            name='reason',
            field=fields.TextField(null=True, unique=False),
        ),
        ops.AddIndex(
            model_name='PayoutRequest',
            index=Index(fields=['status', 'id']),
        ),
        ops.AddIndex(
            model_name='PayoutRequest',
            index=Index(fields=['worker_id', 'status']),
        ),
    ]
