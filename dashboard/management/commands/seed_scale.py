"""`python manage.py seed_scale --scale large`: a merchant platform at full size on an empty PostgreSQL
database, for bench/scale.py.

large: 10,000 categories (depth up to 8), 100,000 products of 500 merchants, 200,000 customers, 1,000,000
orders (one merchant with 300,000; a Zipf tail for the rest) with ~3,000,000 lines and ~5,600,000 timeline
events over two years, 2,000,000 notifications and 500,000 webhook deliveries for the newest orders.
`--scale medium` is a tenth of that, `tiny` a thousandth (tests).

Everything loads with COPY in one transaction; secondary indexes and unique/foreign-key constraints are
dropped for the load and built again at the end from their own definitions (so they are checked in full),
then the tables are vacuumed and analysed as autovacuum would leave them. Same seed, same data.
"""

from __future__ import annotations

import gc
import random
import time
from itertools import islice

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone
from tqdm import tqdm

from accounts.managers import email_canonical
from catalog.management.commands.seed_demo import Command as SeedDemo
from catalog.models import Category, Product
from catalog.services import category_tree_changed
from notifications.models import Notification
from orders.models import Order, OrderItem, OrderNumber, TrackingEvent
from webhooks.models import WebhookDelivery

from . import _scale_plan as plan
from . import _scale_rows as rows
from ._scale_copy import TableCopy, indexes_deferred

ADMIN_EMAIL = f"admin@{rows.DOMAIN}"
ADMIN_PASSWORD = "ordertrail-admin"
MERCHANT_PASSWORD = "ordertrail-merchant"
CUSTOMER_PASSWORD = "ordertrail-customer"
CHUNK = 10_000  # orders per round of COPY statements


def merchant_model():
    # Read from the order's foreign key, so the seed follows the model wherever its app lives.
    return Order._meta.get_field("merchant").related_model


def webhook_secret_model():
    return merchant_model()._meta.get_field("webhook_secrets").related_model


class Command(BaseCommand):
    help = "Fill an empty PostgreSQL database with a platform at scale (seed_scale --scale large|medium)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(plan.SCALES), default="medium")
        parser.add_argument("--seed", type=int, default=2024, help="random seed (same seed, same data)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bars")

    def handle(self, *args, scale, seed, no_progress, **options):
        if connection.vendor != "postgresql":
            raise CommandError("seed_scale loads with PostgreSQL's COPY: point DATABASE_URL at PostgreSQL.")
        if Order.objects.exists() or Product.objects.exists() or Category.objects.exists():
            raise CommandError(
                "seed_scale fills an empty database; this one already holds orders, products or categories "
                "(createdb ordertrail_scale && DATABASE_URL=... manage.py migrate)."
            )
        self.progress = not no_progress
        self.sizes = plan.SCALES[scale]
        started = time.monotonic()
        self.phases: dict[str, float] = {}
        self.now = timezone.now()
        self.now_ts = self.now.timestamp()
        self.rng = random.Random(seed)
        self.ids = rows.Ids(random.Random(seed + 1))
        self.shapes = plan.Shapes(seed=seed + 2, sizes=self.sizes, now=self.now_ts)
        User = get_user_model()
        Merchant, Secret = merchant_model(), webhook_secret_model()
        models_ = [
            User,
            Merchant,
            Secret,
            Category,
            Product,
            OrderNumber,
            Order,
            OrderItem,
            TrackingEvent,
            Notification,
            WebhookDelivery,
        ]
        gc.disable()  # millions of short-lived tuples: the cycle collector would only slow the load down
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
                rebuild_bar = lambda total: self._bar(total=total, desc="indexes", unit="index")  # noqa: E731
                with indexes_deferred(models_, progress=rebuild_bar):
                    self._people_and_catalog(User, Merchant, Secret)
                    self._orders()
                    self.phases["rows"] = time.monotonic() - started
                with connection.cursor() as cursor:
                    for sql in connection.ops.sequence_reset_sql(no_style(), models_):
                        cursor.execute(sql)
        finally:
            gc.enable()
        self.phases["indexes"] = time.monotonic() - started - self.phases["rows"]
        self._vacuum(models_)
        self.phases["vacuum"] = time.monotonic() - started - self.phases["rows"] - self.phases["indexes"]
        category_tree_changed()  # COPY sends no signals: move the cached tree's version ourselves
        self._report(started=started)

    def _bar(self, **kwargs):
        return tqdm(disable=not self.progress, dynamic_ncols=True, **kwargs)

    # --- people and catalog ----------------------------------------------------------------------------

    def _people_and_catalog(self, User, Merchant, Secret):
        sizes, rng, ids, now = self.sizes, self.rng, self.ids, self.now
        user_columns = (
            "id", "password", "email", "account_type", "first_name", "last_name", "phone_number",
            "default_shipping_address", "is_email_verified", "date_joined",
        )  # fmt: skip
        # `email_canonical` is derived on save() in the ORM; COPY writes it from the email (index 2) itself.
        user_columns = (*user_columns, "email_canonical")
        users = TableCopy(User, user_columns, now=now)
        # One hash for every account of a kind: hashing 200,000 passwords would take hours.
        customer_hash = make_password(CUSTOMER_PASSWORD)
        merchant_hash = make_password(MERCHANT_PASSWORD)

        self.people = rows.customers(rng, ids, count=sizes.customers, now=self.now_ts)
        with self._bar(total=sizes.customers, desc="customers", unit="user") as bar:
            users.write(
                (*row, email_canonical(row[2]))
                for row in _counted(
                    bar, rows.customer_rows(self.people, password=customer_hash, rng=rng, now=self.now_ts)
                )
            )
        admin_id = ids()
        TableCopy(User, (*user_columns, "is_staff", "is_superuser"), now=now).write(
            [
                (
                    admin_id, make_password(ADMIN_PASSWORD), ADMIN_EMAIL, "customer", "Scale", "Admin", "",
                    "", True, now, email_canonical(ADMIN_EMAIL), True, True,
                )
            ]
        )  # fmt: skip

        merchant_users = [ids() for _ in range(sizes.merchants)]
        self.merchant_emails = [f"merchant{i + 1:03d}@{rows.DOMAIN}" for i in range(sizes.merchants)]
        users.write(
            (uid, merchant_hash, email, "merchant", "Owner", f"{i + 1:03d}", rows.person_phone(9_000_000 + i), "", True, now, email_canonical(email))
            for i, (uid, email) in enumerate(zip(merchant_users, self.merchant_emails, strict=True))
        )  # fmt: skip
        self.merchants = [(ids(), user_id, rows.company_name(i)) for i, user_id in enumerate(merchant_users)]
        TableCopy(
            Merchant,
            ("id", "user_id", "company_name", "kyc_status", "is_active", "activated_at", "created_at"),
            now=now,
        ).write((mid, uid, name, "approved", True, now, now) for mid, uid, name in self.merchants)
        TableCopy(Secret, ("id", "merchant_id", "secret", "created_at"), now=now).write(
            (ids(), mid, rows.webhook_secret(rng), now) for mid, _, _ in self.merchants
        )

        nodes = SeedDemo()._plan_categories(sizes.categories, rng)
        SeedDemo._number(nodes)
        slug_to_id = {node.slug: ids() for node in nodes}
        TableCopy(
            Category, ("id", "name", "slug", "parent_id", "lft", "rght", "tree_id", "level", "created_at"), now=now
        ).write(
            (
                slug_to_id[n.slug], n.name, n.slug, n.parent and slug_to_id[n.parent.slug], n.lft, n.rght,
                n.tree_id, n.level, now,
            )
            for n in nodes
        )  # fmt: skip

        self.products = [[] for _ in range(sizes.merchants)]
        product_columns = (
            "id", "merchant_id", "category_id", "sku", "name", "description", "price", "stock", "is_active",
            "is_featured", "created_at", "updated_at",
        )  # fmt: skip
        with self._bar(total=sizes.products, desc="products", unit="product") as bar:
            TableCopy(Product, product_columns, now=now).write(
                _counted(
                    bar,
                    rows.product_rows(
                        rng,
                        ids,
                        nodes=nodes,
                        slug_to_id=slug_to_id,
                        merchant_ids=[mid for mid, _, _ in self.merchants],
                        weights=plan.merchant_weights(sizes),
                        total=sizes.products,
                        now=self.now_ts,
                        out=self.products,
                    ),
                )
            )

    # --- orders ----------------------------------------------------------------------------------------

    def _orders(self):
        sizes, now = self.sizes, self.now
        # First pass: what each order will write, so the outbox and the delivery log hold exactly the
        # requested totals, taken from the newest orders.
        notes, deliveries = [], []
        for index, shape in enumerate(self.shapes):
            notes.append(plan.notification_count(shape))
            deliveries.append(plan.delivery_count(shape, index))
        writer = rows.OrderWriter(
            rng=self.rng,
            ids=self.ids,
            people=self.people,
            merchants=self.merchants,
            products=self.products,
            admin_email=ADMIN_EMAIL,
            notify_from=plan.newest_covering(notes, sizes.notifications),
            deliver_from=plan.newest_covering(deliveries, sizes.deliveries),
            now=self.now_ts,
        )
        copies = {
            "numbers": TableCopy(OrderNumber, ("id",), now=now),
            "orders": TableCopy(Order, rows.ORDER_COLUMNS, now=now),
            "items": TableCopy(OrderItem, rows.ITEM_COLUMNS, now=now),
            "events": TableCopy(TrackingEvent, rows.EVENT_COLUMNS, now=now),
            "notifications": TableCopy(Notification, rows.NOTIFICATION_COLUMNS, now=now),
            "deliveries": TableCopy(WebhookDelivery, rows.DELIVERY_COLUMNS, now=now),
        }
        shapes = iter(self.shapes)
        with self._bar(total=sizes.orders, desc="orders", unit="order") as bar:
            for first in range(0, sizes.orders, CHUNK):
                chunk = writer.chunk(islice(shapes, CHUNK), first)
                for name, copy in copies.items():
                    copy.write(getattr(chunk, name))
                bar.update(min(CHUNK, sizes.orders - first))
        self.counts = writer.counts

    def _vacuum(self, models_):
        """As autovacuum would leave the tables: visibility map set (index-only scans), statistics fresh."""
        quote = connection.ops.quote_name
        with connection.cursor() as cursor, self._bar(total=len(models_), desc="vacuum", unit="table") as bar:
            for model in models_:
                cursor.execute(f"VACUUM (FREEZE, ANALYZE) {quote(model._meta.db_table)}")
                bar.update(1)

    def _report(self, *, started: float):
        counts = self.counts
        self.stdout.write(
            self.style.SUCCESS(
                f"seed_scale: {self.sizes.categories:,} categories, {self.sizes.products:,} products, "
                f"{self.sizes.merchants:,} merchants, {self.sizes.customers:,} customers, "
                f"{counts['orders']:,} orders, {counts['items']:,} lines, {counts['events']:,} events, "
                f"{counts['notifications']:,} notifications, {counts['deliveries']:,} webhook deliveries "
                f"in {time.monotonic() - started:.0f} s ("
                + ", ".join(f"{phase} {seconds:.0f} s" for phase, seconds in self.phases.items())
                + ")."
            )
        )
        self.stdout.write(f"  admin: {ADMIN_EMAIL} / {ADMIN_PASSWORD}")
        self.stdout.write(f"  biggest merchant: {self.merchant_emails[0]} / {MERCHANT_PASSWORD}")
        self.stdout.write(f"  customers: customer000000@{rows.DOMAIN} ... / {CUSTOMER_PASSWORD}")


def _counted(bar, rows):
    """`rows`, each counted on the progress `bar` as it is written (tqdm's `update` returns whether it
    redrew, so it cannot be folded into the row expression)."""
    for row in rows:
        bar.update(1)
        yield row
