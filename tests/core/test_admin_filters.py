"""Operators filter orders, products and webhook deliveries by merchant by typing its name (the admin's
autocomplete), however many merchants there are; products also by category subtree and low stock."""

import pytest

from tests.factories import CategoryFactory, MerchantFactory, ProductFactory, placed_order
from webhooks.models import WebhookDelivery

pytestmark = pytest.mark.django_db


def shown(response) -> set:
    assert response.status_code == 200, response.content[:300]
    return {str(obj.pk) for obj in response.context["cl"].result_list}


def test_the_merchant_filter_finds_merchants_as_typed_and_filters_each_list(admin_session):
    duka = MerchantFactory(company_name="Duka Bora")
    soko = MerchantFactory(company_name="Soko Safi")
    MerchantFactory.create_batch(30)
    ours, theirs = placed_order(merchant=duka), placed_order(merchant=soko)
    ours_product = ours.items.get().product
    delivery = WebhookDelivery.objects.create(merchant=duka, status_code=200)
    WebhookDelivery.objects.create(merchant=soko, status_code=200)

    found = admin_session.get(
        "/admin/autocomplete/",
        {"term": "duka", "app_label": "orders", "model_name": "order", "field_name": "merchant"},
    ).json()
    assert [r["text"] for r in found["results"]] == ["Duka Bora"]

    for url, expected in [
        ("/admin/orders/order/", {str(ours.pk)}),
        ("/admin/catalog/product/", {str(ours_product.pk)}),
        ("/admin/webhooks/webhookdelivery/", {str(delivery.pk)}),
    ]:
        everything = admin_session.get(url)
        page = everything.content.decode()
        # the filter is a typed search, not a link per merchant; its scripts are on the page
        assert 'class="admin-autocomplete' in page and "admin/js/autocomplete.js" in page
        assert "Soko Safi" not in page.split('id="changelist-filter"')[1]
        filtered = admin_session.get(url, {"merchant__id__exact": str(duka.pk)})
        assert shown(filtered) == expected, url
        # the chosen merchant is shown in the filter, and "All" clears it
        sidebar = filtered.content.decode().split('id="changelist-filter"')[1]
        assert f'<option value="{duka.pk}" selected>Duka Bora</option>' in sidebar
    assert theirs  # (another merchant's order, filtered out above)


def test_the_merchant_filter_keeps_the_other_filters(admin_session, merchant):
    placed_order(merchant=merchant)
    page = admin_session.get("/admin/orders/order/", {"status__exact": "pending"}).content.decode()
    form = page.split('class="autocomplete-filter"')[1].split("</form>")[0]
    assert '<input type="hidden" name="status__exact" value="pending">' in form


def test_products_filter_by_category_subtree_and_low_stock(admin_session, merchant):
    food = CategoryFactory(name="Food")
    fruit = CategoryFactory(name="Fruit", parent=food)
    tools = CategoryFactory(name="Tools")
    mango = ProductFactory(merchant=merchant, category=fruit, stock=1, low_stock_threshold=2)
    bread = ProductFactory(merchant=merchant, category=food, stock=0)
    hammer = ProductFactory(merchant=merchant, category=tools, stock=50)

    url = "/admin/catalog/product/"
    assert shown(admin_session.get(url, {"category__id__inhierarchy": str(food.pk)})) == {
        str(mango.pk),
        str(bread.pk),
    }
    assert shown(admin_session.get(url, {"category__id__inhierarchy": str(fruit.pk)})) == {str(mango.pk)}
    assert shown(admin_session.get(url, {"stock": "low"})) == {str(mango.pk), str(bread.pk)}
    assert shown(admin_session.get(url, {"stock": "out"})) == {str(bread.pk)}
    assert str(hammer.pk) in shown(admin_session.get(url))


def test_the_category_filter_lists_the_way_down_not_the_whole_tree(admin_session, merchant):
    food = CategoryFactory(name="Food")
    fruit = CategoryFactory(name="Fruit", parent=food)
    mango = CategoryFactory(name="Mangoes", parent=fruit)
    CategoryFactory(name="Grains", parent=food)
    tools = CategoryFactory(name="Tools")
    CategoryFactory(name="Hammers", parent=tools)
    ProductFactory(merchant=merchant, category=mango)

    def links(**params) -> list[str]:
        page = admin_session.get("/admin/catalog/product/", params).content.decode()
        sidebar = page.split('<details data-filter-title="category"')[1].split("</details>")[0]
        names = [line.split(">")[1].split("<")[0] for line in sidebar.split('class="tree-level-')[1:]]
        return [name for name in names if name not in ("All", "-")]  # "All" and "no category" come first

    assert links() == ["Food", "Tools"]  # the roots only
    # chosen: its way down from the root, itself, its children; the other roots stay to go elsewhere
    assert links(category__id__inhierarchy=str(fruit.pk)) == ["Food", "Fruit", "Mangoes", "Tools"]
    assert links(category__id__inhierarchy=str(tools.pk)) == ["Food", "Tools", "Hammers"]
