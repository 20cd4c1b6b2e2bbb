"""`python manage.py seed_demo`: demo merchants, a customer, a category tree and products.

Idempotent: everything it makes has a deterministic identity (emails, slugs, `DEMO-…` SKUs), so a second
run with the same flags adds nothing. `--categories 10000 --products 100000` builds a benchmark-sized
catalog with bulk inserts (MPTT bounds computed in Python, or `Category.objects.rebuild()` when the
table already held other categories).
"""

import random
from collections import defaultdict
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from tqdm import tqdm

from accounts.models import AccountType
from catalog.models import Category, Product
from catalog.services import category_tree_changed
from merchants.models import KYCStatus, Merchant
from merchants.services import webhook_secret_create

MERCHANT_PASSWORD = "ordertrail-merchant"
CUSTOMER_PASSWORD = "ordertrail-customer"
MERCHANTS = [
    ("merchant1@ordertrail.local", "Savannah Electronics Ltd"),
    ("merchant2@ordertrail.local", "Mama Mboga Fresh Foods"),
    ("merchant3@ordertrail.local", "Kilimanjaro Home & Living"),
]
CUSTOMER_EMAIL = "customer@ordertrail.local"
SKU_PREFIX = "DEMO-"
MAX_DEPTH = 8  # levels 0..7 for generated categories

# A realistic shop taxonomy, five levels deep in places.
TAXONOMY = {
    "Electronics": {
        "Phones & Tablets": {
            "Smartphones": {"Android Phones": {"Budget Android Phones": {}, "Flagship Android Phones": {}}},
            "Feature Phones": {},
            "Tablets": {"Android Tablets": {}, "iPads": {}},
            "Phone Accessories": {"Chargers": {}, "Cases & Covers": {}, "Power Banks": {}},
        },
        "Computers": {
            "Laptops": {"Ultrabooks": {}, "Gaming Laptops": {}, "Refurbished Laptops": {}},
            "Desktops": {},
            "Computer Accessories": {"Keyboards": {}, "Mice": {}, "Monitors": {}},
        },
        "TV & Audio": {
            "Televisions": {"Smart TVs": {"Android TVs": {}, "4K Smart TVs": {}}},
            "Audio": {"Headphones": {"Wireless Earbuds": {}, "Over-Ear Headphones": {}}, "Speakers": {}},
        },
    },
    "Groceries": {
        "Fresh Produce": {
            "Fruits": {"Tropical Fruits": {}, "Citrus": {}},
            "Vegetables": {"Leafy Greens": {}},
        },
        "Pantry": {"Flour & Grains": {"Maize Flour": {}, "Rice": {}}, "Cooking Oils": {}, "Spices": {}},
        "Beverages": {"Tea & Coffee": {"Kenyan Tea": {}, "Ground Coffee": {}}, "Juices": {}},
    },
    "Home & Living": {
        "Kitchen": {"Cookware": {"Sufurias": {}, "Frying Pans": {}}, "Small Appliances": {"Blenders": {}}},
        "Furniture": {"Living Room": {"Sofas": {}, "Coffee Tables": {}}, "Bedroom": {"Beds": {}}},
        "Home Decor": {"Lighting": {}, "Rugs": {}},
    },
    "Fashion": {
        "Women": {"Dresses": {"Kitenge Dresses": {}}, "Shoes": {"Sandals": {}, "Heels": {}}},
        "Men": {"Shirts": {}, "Shoes": {"Sneakers": {}, "Formal Shoes": {}}},
    },
}
PRICE_RANGES = {  # by top-level category, KES
    "Electronics": (1_500, 180_000),
    "Groceries": (50, 2_500),
    "Home & Living": (300, 90_000),
    "Fashion": (400, 12_000),
}
BRANDS = ["Tecno", "Infinix", "Samsung", "Ramtons", "Mika", "Hotpoint", "Bata", "Kenchic", "Jogoo", "Kabras"]
QUALIFIERS = ["Classic", "Pro", "Lite", "Max", "Eco", "Plus", "Mini", "Prime", "Select", "Essential"]
GENERATED_WORDS = ["Range", "Line", "Series", "Collection", "Assortment", "Selection", "Edition", "Group"]


class _Node:
    __slots__ = ("name", "slug", "parent", "level", "root", "children", "lft", "rght", "tree_id")

    def __init__(self, name, slug, parent):
        self.name, self.slug, self.parent = name, slug, parent
        self.level = 0 if parent is None else parent.level + 1
        self.root = self if parent is None else parent.root
        self.children: list[_Node] = []
        if parent is not None:
            parent.children.append(self)


class Command(BaseCommand):
    help = "Load a demo catalog (idempotent). Use --categories/--products for benchmark-sized data."

    def add_arguments(self, parser):
        parser.add_argument(
            "--categories", type=int, default=None, help="total categories (default: taxonomy)"
        )
        parser.add_argument("--products", type=int, default=300, help="total demo products (default 300)")
        parser.add_argument("--seed", type=int, default=2024, help="random seed (same seed, same catalog)")

    def handle(self, *args, categories, products, seed, **options):
        if (categories is not None and categories < 1) or products < 0:
            raise CommandError("--categories must be >= 1 and --products >= 0")
        rng = random.Random(seed)
        progress = self.stdout.isatty() or products >= 5000 or (categories or 0) >= 1000
        with transaction.atomic():
            merchants = self._merchants()
            self._customer()
        nodes = self._plan_categories(categories, rng)
        with transaction.atomic():
            created_categories, slug_to_id = self._save_categories(nodes, progress=progress)
        with transaction.atomic():
            created_products = self._save_products(
                nodes, slug_to_id, merchants, products, rng, progress=progress
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo catalog: {len(nodes)} categories ({created_categories} new), "
                f"{products} products ({created_products} new)."
            )
        )
        for email, _ in MERCHANTS:
            self.stdout.write(f"  merchant: {email} / {MERCHANT_PASSWORD}")
        self.stdout.write(f"  customer: {CUSTOMER_EMAIL} / {CUSTOMER_PASSWORD}")

    # --- people --------------------------------------------------------------------------------------

    def _user(self, email, password, **fields):
        User = get_user_model()
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email=email, password=password, is_email_verified=True, **fields)
        return user

    def _merchants(self) -> list[Merchant]:
        merchants = []
        for email, company in MERCHANTS:
            user = self._user(email, MERCHANT_PASSWORD, account_type=AccountType.MERCHANT)
            merchant, _ = Merchant.objects.get_or_create(
                user=user,
                defaults={
                    "company_name": company,
                    "kyc_status": KYCStatus.APPROVED,
                    "is_active": True,
                    "activated_at": timezone.now(),
                },
            )
            if not merchant.webhook_secrets.exists():  # as a KYC approval would have done
                webhook_secret_create(merchant=merchant)
            merchants.append(merchant)
        return merchants

    def _customer(self):
        return self._user(
            CUSTOMER_EMAIL,
            CUSTOMER_PASSWORD,
            account_type=AccountType.CUSTOMER,
            first_name="Wanjiku",
            last_name="Demo",
            phone_number="+254712345678",
        )

    # --- categories ----------------------------------------------------------------------------------

    def _plan_categories(self, total: int | None, rng: random.Random) -> list[_Node]:
        """The intended tree, deterministic for (total, seed): the taxonomy breadth-first, then generated
        sub-ranges under random nodes until `total`."""
        nodes: list[_Node] = []
        slugs: set[str] = set()

        def add(name, parent):
            base = slugify(name) if parent is None else f"{parent.slug}-{slugify(name)}"
            slug = base[:150]
            n = 2
            while slug in slugs:
                slug = f"{base[:140]}-{n}"
                n += 1
            slugs.add(slug)
            node = _Node(name, slug, parent)
            nodes.append(node)
            return node

        queue = [(name, sub, None) for name, sub in TAXONOMY.items()]
        while queue and (total is None or len(nodes) < total):
            name, sub, parent = queue.pop(0)
            node = add(name, parent)
            queue.extend((child, grand, node) for child, grand in sub.items())
        if total is not None:
            counter = defaultdict(int)
            while len(nodes) < total:
                parent = rng.choice(nodes)
                if parent.level >= MAX_DEPTH - 1:
                    continue
                counter[parent.slug] += 1
                word = GENERATED_WORDS[counter[parent.slug] % len(GENERATED_WORDS)]
                add(f"{parent.name.split(' ·')[0]} · {word} {counter[parent.slug]}", parent)
        return nodes

    @staticmethod
    def _number(nodes: list[_Node]) -> None:
        """Nested-set bounds for the planned forest: siblings by name, as mptt's order_insertion_by."""
        roots = sorted((n for n in nodes if n.parent is None), key=lambda n: n.name)
        for tree_id, root in enumerate(roots, start=1):
            counter = 1
            stack = [(root, False)]
            while stack:
                node, done = stack.pop()
                if done:
                    node.rght = counter
                    counter += 1
                    continue
                node.tree_id = tree_id
                node.lft = counter
                counter += 1
                stack.append((node, True))
                stack.extend(
                    (child, False) for child in sorted(node.children, key=lambda n: n.name, reverse=True)
                )

    def _save_categories(self, nodes: list[_Node], *, progress: bool) -> tuple[int, dict]:
        existing = dict(Category.objects.values_list("slug", "id"))
        missing = [n for n in nodes if n.slug not in existing]
        if not missing:
            return 0, existing
        fresh_table = not existing
        if fresh_table:
            self._number(nodes)
        # Breadth-first order: every parent is inserted (or existed) before its children.
        rows = []
        slug_to_obj = {}
        for node in missing:
            category = Category(
                name=node.name,
                slug=node.slug,
                lft=node.lft if fresh_table else 0,
                rght=node.rght if fresh_table else 0,
                tree_id=node.tree_id if fresh_table else 0,
                level=node.level,
            )
            slug_to_obj[node.slug] = category
            rows.append((node, category))
        for node, category in rows:
            if node.parent is not None:
                parent_obj = slug_to_obj.get(node.parent.slug)
                category.parent_id = parent_obj.pk if parent_obj else existing[node.parent.slug]
        batch = 2000
        for start in tqdm(range(0, len(rows), batch), desc="categories", unit="batch", disable=not progress):
            Category.objects.bulk_create([c for _, c in rows[start : start + batch]])
        if not fresh_table:
            Category.objects.rebuild()
        category_tree_changed()  # bulk inserts send no signals: invalidate the cached tree ourselves
        return len(missing), dict(Category.objects.values_list("slug", "id"))

    # --- products ------------------------------------------------------------------------------------

    def _save_products(self, nodes, slug_to_id, merchants, total, rng, *, progress: bool) -> int:
        # Products sit mostly in leaves, some in inner nodes, so parents without direct products exist too.
        leaves = [n for n in nodes if not n.children]
        inner = [n for n in nodes if n.children and n.level >= 1]
        existing = set(
            Product.objects.filter(merchant__in=merchants, sku__startswith=SKU_PREFIX).values_list(
                "merchant_id", "sku"
            )
        )
        created = 0
        batch: list[Product] = []
        for i in tqdm(range(total), desc="products", unit="product", disable=not progress):
            # Draw every random number even for rows that exist, so the plan does not depend on the DB.
            node = rng.choice(inner) if inner and rng.random() < 0.1 else rng.choice(leaves)
            low, high = PRICE_RANGES.get(node.root.name, (100, 20_000))
            price = Decimal(rng.randint(low * 100, high * 100)) / 100
            brand, qualifier = rng.choice(BRANDS), rng.choice(QUALIFIERS)
            stock = rng.choice([0, 1, 3, 5, 12, 25, 40, 100, 250])
            flags = rng.random()
            merchant = merchants[i % len(merchants)]
            sku = f"{SKU_PREFIX}{i:06d}"
            if (merchant.pk, sku) in existing:
                continue
            leaf_name = node.name.split(" ·")[0]
            batch.append(
                Product(
                    merchant=merchant,
                    category_id=slug_to_id[node.slug],
                    sku=sku,
                    name=f"{brand} {leaf_name} {qualifier} {i % 97 + 1}",
                    description=f"{brand} {leaf_name.lower()} from {merchant.company_name}.",
                    price=price,
                    currency="KES",
                    stock=stock,
                    low_stock_threshold=5,
                    is_active=flags > 0.05,
                    is_featured=flags > 0.95,
                )
            )
            if len(batch) >= 2000:
                Product.objects.bulk_create(batch)
                created += len(batch)
                batch = []
        if batch:
            Product.objects.bulk_create(batch)
            created += len(batch)
        return created
