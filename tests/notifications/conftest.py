import pytest

from tests.notifications.standins import API_KEY, USERNAME, SmsApi


@pytest.fixture
def sms_api(settings):
    """The Africa's Talking stand-in, with the SDK pointed at it through AFRICASTALKING_BASE_URL."""
    api = SmsApi(seed=7)
    settings.AFRICASTALKING_USERNAME = USERNAME
    settings.AFRICASTALKING_API_KEY = API_KEY
    settings.AFRICASTALKING_SENDER_ID = "ORDERTRAIL"
    settings.AFRICASTALKING_BASE_URL = api.base_url
    settings.AFRICASTALKING_TIMEOUT_SECONDS = 5
    yield api
    api.stop()
