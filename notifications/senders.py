"""The providers behind the outbox: Africa's Talking (or the console) for SMS, Django's email backend for email.

Senders never touch the database. They return what the provider accepted and raise `TransientSendError`
(worth retrying), `PermanentSendError` (retrying cannot help) or `OutcomeUnknownSendError` (the provider got the
request but did not answer, or answered 2xx in a way nobody can read: it may have sent it, so retrying could
send it twice) for everything else. Only an answer that proves nothing was sent is ever worth retrying.
"""

import json
import logging
import os
import sys
import threading
import time
import uuid
from dataclasses import dataclass

import requests
from africastalking.Service import DEFAULT_TIMEOUT_S, AfricasTalkingException
from africastalking.SMS import SMSService
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from urllib3.exceptions import ProtocolError

logger = logging.getLogger(__name__)

# Africa's Talking per-recipient status codes. 100 Processed, 101 Sent, 102 Queued are accepted; these mean the
# number itself is unusable (403 InvalidPhoneNumber, 404 UnsupportedNumberType, 406 UserInBlacklist,
# 407 CouldNotRoute, 409 DoNotDisturbRejection). Anything else (401 RiskHold, 402 InvalidSenderId,
# 405 InsufficientBalance, 5xx gateway errors) may pass on a later try.
AT_ACCEPTED = {100, 101, 102}
AT_PERMANENT = {403, 404, 406, 407, 409}


class SendError(Exception):
    pass


class TransientSendError(SendError):
    pass


class PermanentSendError(SendError):
    pass


class OutcomeUnknownSendError(SendError):
    """The request reached the provider, which did not answer (read timeout, connection dropped mid-answer)
    or accepted it (2xx) with a body that cannot be understood."""


@dataclass(frozen=True)
class SmsOutcome:
    """What the provider said about one recipient of a request."""

    accepted: bool
    message_id: str = ""
    error: str = ""
    permanent: bool = False
    cost: str = ""


class ConfigurableSMSService(SMSService):
    """The SDK's SMS service, pointed at `base_url` when given (sandbox, proxy, local test double), posting
    through one kept-alive HTTP session.

    The SDK hard-codes its host in `_init_service`; this is the one place that sets it. It also posts each
    message with `requests.post`: a new TCP (and TLS) connection per message, and the proxy settings read
    from the environment again every time, which cost a worker more CPU than the rest of the HTTP exchange.
    Here the proxies for the provider's host are read once, when the service is made, and the connection
    is reused. A connection left idle for IDLE_CONNECTION_SECONDS is closed before the next send rather
    than reused: a POST on a connection the provider is closing at that moment could not tell whether it
    arrived (`outcome_unknown`), so an old connection is not worth the risk.
    """

    # Well below the keep-alive timeouts of providers and load balancers (60 s and up).
    IDLE_CONNECTION_SECONDS = 15

    def __init__(self, username: str, api_key: str, *, base_url: str = ""):
        self._override_base_url = base_url.rstrip("/")
        super().__init__(username, api_key)
        self._session = requests.Session()
        # What `requests.post` would take from the environment on every call, taken once.
        self._session.trust_env = False
        self._session.proxies = requests.utils.get_environ_proxies(self._baseUrl)
        self._session.verify = (
            os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
        )
        self._last_used = 0.0

    def _init_service(self):
        super()._init_service()
        if self._override_base_url:
            self._baseUrl = f"{self._override_base_url}/version1"
            self._contentUrl = self._baseUrl

    def _Service__make_post_request(
        self, url, headers, data, params, callback=None, timeout=DEFAULT_TIMEOUT_S
    ):
        """Replaces the SDK's private `requests.post` call (its only POST); the SDK still builds the request
        and reads the answer."""
        now = time.monotonic()
        if now - self._last_used > self.IDLE_CONNECTION_SECONDS:
            self._session.close()  # the next request opens a fresh connection
        answer = self._session.post(url=url, headers=headers, params=params, data=data, timeout=timeout)
        self._last_used = time.monotonic()
        if callback:
            return callback(answer)
        return answer

    def close(self):
        self._session.close()


_per_thread = threading.local()


def _at_service() -> ConfigurableSMSService:
    """This thread's service (a worker thread sends one message at a time; a session is not shared between
    threads). A new one when the credentials or the address change."""
    key = (
        settings.AFRICASTALKING_USERNAME,
        settings.AFRICASTALKING_API_KEY,
        settings.AFRICASTALKING_BASE_URL,
    )
    service = getattr(_per_thread, "service", None)
    if service is None or _per_thread.key != key:
        if service is not None:
            service.close()
        service = _per_thread.service = ConfigurableSMSService(key[0], key[1], base_url=key[2])
        _per_thread.key = key
    return service


def sms_console_enabled() -> bool:
    return not (settings.AFRICASTALKING_USERNAME and settings.AFRICASTALKING_API_KEY)


def sms_send(*, message: str, recipients: list[str]) -> dict[str, SmsOutcome]:
    """Send one text to many numbers in one provider request; returns an outcome per number.

    Raises TransientSendError when the request as a whole failed in a way that proves nothing was sent
    (connection refused, an HTTP error answer), PermanentSendError when the SDK refuses the numbers before
    sending, and OutcomeUnknownSendError when the provider may have sent it (no answer, or a 2xx answer that
    cannot be read).
    """
    if sms_console_enabled():
        for number in recipients:
            sys.stdout.write(f"[SMS to {number}] {message}\n")
        sys.stdout.flush()
        return {
            number: SmsOutcome(accepted=True, message_id=f"console-{uuid.uuid4().hex}")
            for number in recipients
        }

    service = _at_service()
    timeout = settings.AFRICASTALKING_TIMEOUT_SECONDS
    try:
        answer = service.send(
            message,
            recipients,
            settings.AFRICASTALKING_SENDER_ID or None,
            timeout=(min(3.05, timeout), timeout),
        )
    except requests.JSONDecodeError as exc:  # labelled JSON but not: the SDK parses 2xx answers only
        raise OutcomeUnknownSendError(
            f"Africa's Talking answered 2xx with a body that is not JSON: {exc}"
        ) from exc
    except ValueError as exc:  # the SDK validates numbers before sending anything
        raise PermanentSendError(str(exc)) from exc
    except requests.ReadTimeout as exc:
        raise OutcomeUnknownSendError(f"no answer within {timeout:g} s: {str(exc)[:300]}") from exc
    except requests.ConnectionError as exc:
        if isinstance(exc.args[0] if exc.args else None, ProtocolError):  # dropped after the request was sent
            raise OutcomeUnknownSendError(f"connection dropped: {str(exc)[:300]}") from exc
        raise TransientSendError(f"{type(exc).__name__}: {str(exc)[:500]}") from exc
    except (requests.RequestException, AfricasTalkingException) as exc:
        raise TransientSendError(f"{type(exc).__name__}: {str(exc)[:500]}") from exc

    data = _sms_answer_data(answer)
    by_number = {r.get("number"): r for r in data["Recipients"] if isinstance(r, dict)}
    outcomes = {}
    for number in recipients:
        result = by_number.get(number)
        if result is None:
            outcomes[number] = SmsOutcome(
                accepted=False, error=f"Not accepted: {str(data.get('Message', ''))[:300]}"
            )
            continue
        try:
            code = int(result.get("statusCode"))
        except (TypeError, ValueError):
            code = 0
        if code in AT_ACCEPTED:
            outcomes[number] = SmsOutcome(
                accepted=True,
                message_id=str(result.get("messageId") or ""),
                cost=str(result.get("cost") or "")[:32],
            )
        else:
            outcomes[number] = SmsOutcome(
                accepted=False,
                error=f"Africa's Talking status {code}: {result.get('status', '')}",
                permanent=code in AT_PERMANENT,
            )
    return outcomes


def _sms_answer_data(answer) -> dict:
    """The `SMSMessageData` of a 2xx answer. The SDK hands the body over as text unless the Content-Type is
    exactly `application/json` (a charset, a proxy, `text/plain`), so text is parsed here. A 2xx whose body
    says nothing we can read (empty, HTML, another shape) is an acceptance we cannot account for.
    """
    if isinstance(answer, (str, bytes)):
        try:
            answer = json.loads(answer)
        except ValueError:
            raise OutcomeUnknownSendError(
                f"Africa's Talking answered 2xx with a body that is not JSON: {answer[:200]!r}"
            ) from None
    data = answer.get("SMSMessageData") if isinstance(answer, dict) else None
    if not isinstance(data, dict) or not isinstance(data.get("Recipients"), list):
        raise OutcomeUnknownSendError(
            f"Africa's Talking answered 2xx without SMSMessageData: {str(answer)[:200]}"
        )
    return data


def email_send(*, recipient: str, subject: str, text: str, html: str, message_id: str) -> str:
    """Send one email (text and HTML parts) through Django's email backend; returns its Message-ID.

    The Message-ID is derived from the notification, so a copy that ever got through twice would be
    recognised as the same message by mail clients.
    """
    import smtplib

    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient],
        headers={"Message-ID": message_id},
        connection=get_connection(fail_silently=False),
    )
    message.attach_alternative(html, "text/html")
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        if codes and all(500 <= code < 600 for code in codes):
            raise PermanentSendError(f"Recipient refused: {exc.recipients}") from exc
        raise TransientSendError(f"Recipient refused: {exc.recipients}") from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise TransientSendError(f"{type(exc).__name__}: {exc}") from exc
    return message_id
