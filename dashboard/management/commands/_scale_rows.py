"""What `seed_scale` writes: people, a catalog and two years of orders with their lines, timelines,
notifications and webhook deliveries, as tuples ready for COPY (the plan is in `_scale_plan`).

Plain Python on purpose (no ORM instances): building a model object per row would cost more than the
load itself. Values are what the database stores: ids as 32 hex digits, money as "123.45", JSON as text.
"""

from __future__ import annotations

import base64
import json
import math
import random
from bisect import bisect
from dataclasses import dataclass
from datetime import UTC, datetime

from catalog.management.commands.seed_demo import BRANDS, PRICE_RANGES, QUALIFIERS
from orders.lifecycle import OrderStatus
from orders.models import TRACKING_CODE_ALPHABET

from ._scale_plan import HOUR, SPAN_DAYS, Shape

DOMAIN = "scale.ordertrail.local"
FIRST_NAMES = [
    "Wanjiku", "Achieng", "Njeri", "Akinyi", "Wambui", "Nafula", "Chebet", "Atieno", "Mumbua", "Zawadi",
    "Kamau", "Otieno", "Mwangi", "Kiprono", "Odhiambo", "Mutua", "Kariuki", "Omondi", "Baraka", "Juma",
]  # fmt: skip
LAST_NAMES = [
    "Kamau", "Otieno", "Mwangi", "Wanjiru", "Ochieng", "Kipchoge", "Mutiso", "Njoroge", "Auma", "Wekesa",
    "Cheruiyot", "Nyambura", "Odinga", "Maina", "Kibet", "Onyango", "Gitau", "Barasa", "Koech", "Muthoni",
]  # fmt: skip
TOWNS = ["Nairobi", "Mombasa", "Kisumu", "Nakuru", "Eldoret", "Thika", "Machakos", "Nyeri", "Meru", "Kitale"]
ROADS = ["Moi Avenue", "Kenyatta Avenue", "Ngong Road", "Thika Road", "Mombasa Road", "Oginga Odinga St"]
COMPANY_WORDS = ["Savannah", "Jambo", "Safari", "Baobab", "Twiga", "Simba", "Pwani", "Rift", "Nyota", "Uhuru"]
COMPANY_KINDS = ["Electronics", "Fresh Foods", "Home & Living", "Fashion House", "Traders", "Supplies"]

STATUS_LABELS = {status.value: status.label.lower() for status in OrderStatus}  # as the outbox writes them
LOCATED = {"shipped", "in_transit", "out_for_delivery", "delivery_failed"}
LINES_CUMULATIVE = (0.2, 0.45, 0.65, 0.8, 0.9, 1.0)  # 1..6 lines, 3 on average

_V4_CLEAR = ~((0xF000 << 64) | (0xC000 << 48))
_V4_SET = (0x4000 << 64) | (0x8000 << 48)


def to_datetime(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


class Ids:
    """Random version-4 UUIDs as 32 hex digits, from a seeded stream (same seed, same ids)."""

    def __init__(self, rng: random.Random):
        self._bits = rng.getrandbits

    def __call__(self) -> str:
        return f"{self._bits(128) & _V4_CLEAR | _V4_SET:032x}"


@dataclass
class Person:
    id: str
    name: str
    phone: str
    email: str
    address: str


def person_phone(n: int) -> str:
    """A valid, distinct Kenyan mobile number for each n below ten million."""
    return f"+2547{1 + n % 2}{(n * 7919) % 10_000_000:07d}"


def address(rng: random.Random) -> str:
    return f"{rng.randint(1, 400)} {rng.choice(ROADS)}, {rng.choice(TOWNS)}"


# --- people and catalog ---------------------------------------------------------------------------------


def customers(rng: random.Random, ids: Ids, *, count: int, now: float) -> list[Person]:
    people = []
    for n in range(count):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        people.append(
            Person(ids(), f"{first} {last}", person_phone(n), f"customer{n:06d}@{DOMAIN}", address(rng))
        )
    return people


def customer_rows(people: list[Person], *, password: str, rng: random.Random, now: float):
    """User rows: id, password, email, account_type, first_name, last_name, phone_number,
    default_shipping_address, is_email_verified, date_joined."""
    start = now - SPAN_DAYS * 24 * HOUR * 1.2
    for person in people:
        first, last = person.name.split(" ", 1)
        joined = to_datetime(start + (now - start) * rng.random())
        yield (
            person.id,
            password,
            person.email,
            "customer",
            first,
            last,
            person.phone,
            person.address,
            True,
            joined,
        )


def company_name(index: int) -> str:
    word = COMPANY_WORDS[index % len(COMPANY_WORDS)]
    kind = COMPANY_KINDS[(index // len(COMPANY_WORDS)) % len(COMPANY_KINDS)]
    return f"{word} {kind} {index + 1:03d}"


def webhook_secret(rng: random.Random) -> str:
    return "whsec_" + base64.b64encode(rng.randbytes(32)).decode()


@dataclass
class CatalogProduct:
    id: str
    sku: str
    name: str
    cents: int


def product_rows(rng, ids, *, nodes, slug_to_id, merchant_ids, weights, total, now, out):
    """Product rows: id, merchant_id, category_id, sku, name, description, price, stock, is_active,
    is_featured, created_at, updated_at. Bigger merchants list more products (square root of their order
    share); `out[m]` collects merchant m's products for the orders."""
    leaves = [n for n in nodes if not n.children]
    inner = [n for n in nodes if n.children and n.level >= 1] or leaves
    shares = [math.sqrt(w) for w in weights]
    cumulative, running = [], 0.0
    for share in shares:
        running += share
        cumulative.append(running)
    start = now - SPAN_DAYS * 24 * HOUR
    last = len(merchant_ids) - 1
    for i in range(total):
        # Every merchant gets a first product, the rest follow the shares.
        merchant = i if i <= last else min(bisect(cumulative, rng.random() * running), last)
        node = rng.choice(inner) if rng.random() < 0.1 else rng.choice(leaves)
        low, high = PRICE_RANGES.get(node.root.name, (100, 20_000))
        cents = rng.randint(low * 100, high * 100)
        leaf = node.name.split(" ·")[0]
        brand, qualifier = rng.choice(BRANDS), rng.choice(QUALIFIERS)
        product = CatalogProduct(ids(), f"SC-{i:07d}", f"{brand} {leaf} {qualifier} {i % 97 + 1}", cents)
        out[merchant].append(product)
        flags = rng.random()
        created = to_datetime(start + (now - start) * rng.random())
        yield (
            product.id,
            merchant_ids[merchant],
            slug_to_id[node.slug],
            product.sku,
            product.name,
            f"{brand} {leaf.lower()}, sold by merchant {merchant + 1}.",
            money(cents),
            rng.choice((0, 1, 3, 5, 12, 25, 40, 100, 250, 1000)),
            flags > 0.05,
            flags > 0.97,
            created,
            created,
        )


# --- orders ---------------------------------------------------------------------------------------------


@dataclass
class OrderRows:
    """One chunk of rows, table by table, ready for COPY."""

    numbers: list
    orders: list
    items: list
    events: list
    notifications: list
    deliveries: list


ORDER_COLUMNS = (
    "id", "order_number", "tracking_code", "merchant_id", "customer_id", "status", "source", "external_id",
    "customer_name", "phone_number", "email", "shipping_address", "currency", "total_amount",
    "stock_restored", "created_at", "updated_at",
)  # fmt: skip
ITEM_COLUMNS = ("order_id", "product_id", "sku", "name", "quantity", "unit_price", "line_total")
EVENT_COLUMNS = ("order_id", "status", "location", "note", "occurred_at", "source", "actor_id", "created_at")
NOTIFICATION_COLUMNS = (
    "id", "channel", "recipient", "template", "context", "status", "attempts", "next_attempt_at",
    "provider_message_id", "last_error", "sent_at", "order_id", "created_at", "updated_at",
)  # fmt: skip
DELIVERY_COLUMNS = (
    "id", "merchant_id", "webhook_id", "event_type", "received_at", "headers", "body", "status_code",
    "error_code", "response_body", "applied", "order_id",
)  # fmt: skip


class OrderWriter:
    """Turns order shapes into rows of every table an order touches, as the services would have written them."""

    def __init__(self, *, rng, ids, people, merchants, products, admin_email, notify_from, deliver_from, now):
        self.rng, self.ids, self.people = rng, ids, people
        self.merchants = merchants  # [(id, user id, company name)]
        self.products = products  # [[CatalogProduct, ...] per merchant]
        self.admin_email = admin_email
        self.notify_from, self.deliver_from, self.now = notify_from, deliver_from, now
        self.codes: set[str] = set()
        self.base_url = "https://ordertrail.example"
        self.counts = dict.fromkeys(("orders", "items", "events", "notifications", "deliveries"), 0)

    def _tracking_code(self) -> str:
        choices = self.rng.choices
        while True:
            code = "".join(choices(TRACKING_CODE_ALPHABET, k=12))
            if code not in self.codes:
                self.codes.add(code)
                return code

    def _customer(self) -> Person:
        # Skewed: a few loyal customers order hundreds of times, most a handful.
        n = len(self.people)
        return self.people[min(n - 1, int(n * self.rng.random() ** 1.5))]

    def chunk(self, shapes, first_index: int) -> OrderRows:
        rows = OrderRows([], [], [], [], [], [])
        for offset, shape in enumerate(shapes):
            self._order(shape, first_index + offset, rows)
        for name in self.counts:
            self.counts[name] += len(getattr(rows, name))
        return rows

    def _order(self, shape: Shape, index: int, rows: OrderRows) -> None:
        rng = self.rng
        order_id = self.ids()
        number = f"OT-{index + 1:08d}"
        rows.numbers.append((index + 1,))
        merchant_id, merchant_user, company = self.merchants[shape.merchant]
        created = to_datetime(shape.created)
        if shape.webhook:
            customer_id = None
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            phone = person_phone(5_000_000 + index)
            email = f"buyer{index}@shop.example" if shape.has_email else ""
            shipping = address(rng)
            external_id = f"SHOP-{index + 1}"
        else:
            person = self._customer()
            customer_id, name, phone, email, shipping = (
                person.id, person.name, person.phone, person.email, person.address,
            )  # fmt: skip
            external_id = None
        catalog = self.products[shape.merchant]
        lines = bisect(LINES_CUMULATIVE, rng.random()) + 1
        chosen = {id(p): p for p in (rng.choice(catalog) for _ in range(lines))}.values()
        total = 0
        for product in chosen:
            quantity = 1 if rng.random() < 0.7 else rng.randint(2, 5)
            line = product.cents * quantity
            total += line
            rows.items.append(
                (
                    order_id,
                    None if shape.webhook else product.id,
                    product.sku,
                    product.name,
                    quantity,
                    money(product.cents),
                    money(line),
                )
            )
        status, last_moment = shape.events[-1]
        code = self._tracking_code()
        rows.orders.append(
            (
                order_id, number, code, merchant_id, customer_id, status,
                "webhook" if shape.webhook else "api", external_id, name, phone, email, shipping, "KES",
                money(total), shape.webhook or status in ("cancelled", "returned"), created,
                to_datetime(last_moment),
            )
        )  # fmt: skip
        source = "webhook" if shape.webhook else "api"
        for step, (event_status, moment) in enumerate(shape.events):
            at = to_datetime(moment)
            if step == 0:
                note = "Order received from the merchant's platform." if shape.webhook else "Order placed."
                actor = None if shape.webhook else customer_id
            else:  # the merchant moves its order along (a platform's updates carry no user)
                note, actor = "", (None if shape.webhook else merchant_user)
            location = rng.choice(TOWNS) if event_status in LOCATED else ""
            rows.events.append((order_id, event_status, location, note, at, source, actor, at))
        if index >= self.notify_from:
            self._notifications(shape, order_id, number, code, name, phone, email, company, total, rows)
        if shape.webhook and index >= self.deliver_from:
            self._deliveries(shape, index, order_id, number, code, merchant_id, external_id, total, rows)

    def _notifications(self, shape, order_id, number, code, name, phone, email, company, total, rows):
        rng = self.rng
        context = {
            "order_number": number,
            "tracking_code": code,
            "tracking_url": f"{self.base_url}/track/{code}/",
            "customer_name": name,
            "phone_number": phone,
            "merchant": company,
            "total_amount": money(total),
            "currency": "KES",
            "status": "pending",
            "status_label": "pending",
            "source": "webhook" if shape.webhook else "api",
        }
        placed = shape.events[0][1]
        messages = [
            ("sms", phone, "order_placed", placed),
            ("email", self.admin_email, "order_placed_admin", placed),
        ]
        for event_status, moment in shape.events[1:]:
            messages.append(("sms", phone, "order_status_changed", moment, event_status))
            if email:
                messages.append(("email", email, "order_status_changed", moment, event_status))
        recent = self.now - 600
        for message in messages:
            channel, recipient, template, moment = message[:4]
            if len(message) > 4:
                context["status"] = message[4]
                context["status_label"] = STATUS_LABELS[message[4]]
            created = to_datetime(moment + 1)
            if moment > recent:
                status, attempts, sent_at, error, provider_id = "pending", 0, None, "", ""
            elif rng.random() < 0.015:
                status, attempts, sent_at, provider_id = "failed", 5, None, ""
                error = (
                    "provider: 500 Internal Server Error" if channel == "sms" else "smtp: 450 mailbox busy"
                )
            else:
                status, attempts, sent_at, error = "sent", 1, to_datetime(moment + 3), ""
                provider_id = f"ATXid_{rng.getrandbits(64):016x}" if channel == "sms" else ""
            rows.notifications.append(
                (
                    self.ids(), channel, recipient, template, json.dumps(context), status, attempts, created,
                    provider_id, error, sent_at, order_id, created, sent_at or created,
                )
            )  # fmt: skip

    def _deliveries(self, shape, index, order_id, number, code, merchant_id, external_id, total, rows):
        rng = self.rng
        answer = json.dumps({"id": order_id, "order_number": number, "tracking_code": code})
        if index % 20 == 0:
            moment = to_datetime(shape.created - 30)
            rows.deliveries.append(
                (
                    self.ids(), merchant_id, f"msg_{rng.getrandbits(96):024x}", "", moment,
                    json.dumps({"content-type": "application/json", "webhook-id": "msg_retry"}),
                    "{}", 401, "invalid_signature",
                    '{"code": "invalid_signature", "detail": "No signature matches."}', False, None,
                )
            )  # fmt: skip
        for step, (event_status, moment) in enumerate(shape.events):
            webhook_id = f"msg_{rng.getrandbits(96):024x}"
            event_type = "order.created" if step == 0 else "order.status_updated"
            body = json.dumps(
                {
                    "type": event_type,
                    "timestamp": to_datetime(moment).isoformat(),
                    "data": {"external_id": external_id, "status": event_status, "total": money(total)},
                }
            )
            headers = json.dumps(
                {
                    "content-type": "application/json",
                    "webhook-id": webhook_id,
                    "webhook-timestamp": str(int(moment)),
                    "webhook-signature": "v1," + base64.b64encode(rng.randbytes(32)).decode(),
                }
            )
            rows.deliveries.append(
                (
                    self.ids(), merchant_id, webhook_id, event_type, to_datetime(moment), headers, body,
                    201 if step == 0 else 200, "", answer, True, order_id,
                )
            )  # fmt: skip
