"""`make run` with no settings at all: a merchant uploads a product photo and a browser loads it from the URL in
the product JSON, served by the app itself from the local media directory."""

import pytest
import requests
from rest_framework_simplejwt.tokens import RefreshToken

from tests.catalog.images import gps_of, jpeg_with_gps, opened
from tests.factories import MerchantFactory


@pytest.mark.django_db(transaction=True)
def test_the_image_url_from_the_api_loads_from_the_running_server(live_server):
    merchant = MerchantFactory()
    token = RefreshToken.for_user(merchant.user).access_token

    created = requests.post(
        f"{live_server.url}/api/v1/products/",
        headers={"Authorization": f"Bearer {token}"},
        data={"name": "Kikoi", "price": "1200"},
        files={"image": ("kikoi.jpg", jpeg_with_gps((1000, 750)), "image/jpeg")},
        timeout=30,
    )

    assert created.status_code == 201, created.text
    body = created.json()
    assert body["image"].startswith(f"{live_server.url}/media/products/")
    listed = requests.get(f"{live_server.url}/api/v1/products/{body['id']}/", timeout=10).json()
    for url, width in ((listed["image"], 1000), (listed["thumbnail"], 400)):
        response = requests.get(url, timeout=10)
        assert response.status_code == 200, url
        assert response.headers["Content-Type"] == "image/jpeg"
        image = opened(response.content)
        assert image.width == width
        assert gps_of(image) == {}
