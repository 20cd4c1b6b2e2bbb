"""`manage.py notification_preview [template] [--language sw] [--status shipped] [--payment-status paid]`:
render order messages with sample data, SMS with their GSM-7 part count, emails with subject, text and HTML."""

from django.core.management.base import BaseCommand, CommandError

from core.languages import Language
from notifications.gsm7 import sms_segments
from notifications.messages import ORDER_MESSAGES, message_render_email, message_render_sms
from notifications.previews import sample_context
from orders.lifecycle import OrderStatus
from orders.payments import PaymentStatus


class Command(BaseCommand):
    help = "Render order messages (every one, or the one named) with sample data, in one language or all."

    def add_arguments(self, parser):
        names = sorted({name for names in ORDER_MESSAGES.values() for name in names})
        parser.add_argument("template", nargs="?", choices=names, help="One message; all when omitted.")
        parser.add_argument("--language", choices=Language.values, help="One language; all when omitted.")
        parser.add_argument("--channel", choices=list(ORDER_MESSAGES), help="Only this channel.")
        parser.add_argument(
            "--status", choices=OrderStatus.values, help="The order's status (default pending)."
        )
        parser.add_argument("--payment-status", choices=PaymentStatus.values, default=None)
        parser.add_argument("--long", action="store_true", help="Every free-text value at its longest.")
        parser.add_argument("--no-html", action="store_true", help="Leave out the emails' HTML part.")

    def handle(self, *args, template=None, language=None, channel=None, **options):
        overrides = {}
        if options["status"]:
            overrides["status"] = options["status"]
        if options["payment_status"]:
            overrides["payment_status"] = options["payment_status"]
        rendered = 0
        for lang in [language] if language else Language.values:
            context = sample_context(language=lang, long=options["long"], **overrides)
            for kind, names in ORDER_MESSAGES.items():
                if channel not in (None, kind):
                    continue
                for name in names:
                    if template not in (None, name):
                        continue
                    self._show(kind, name, lang, context, html=not options["no_html"])
                    rendered += 1
        if not rendered:
            raise CommandError(f"{template} is not a {channel} message.")

    def _show(self, kind: str, name: str, language: str, context: dict, *, html: bool) -> None:
        self.stdout.write(self.style.MIGRATE_HEADING(f"== {kind} {name} [{language}]"))
        if kind == "sms":
            text = message_render_sms(template=name, context=context)
            self.stdout.write(text)
            self.stdout.write(f"({len(text)} characters, {sms_segments(text)} SMS part(s), GSM-7)\n")
            return
        subject, text, body = message_render_email(template=name, context=context)
        self.stdout.write(f"Subject: {subject}\n\n{text}")
        if html:
            self.stdout.write(body)
