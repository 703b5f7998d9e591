"""A mail backend that refuses one address (as an SMTP server does) and keeps what it sent."""
import smtplib

from django.core.mail.backends.base import BaseEmailBackend

REFUSED = "refused@bank.example"
SENT: list = []


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        for message in email_messages:
            if REFUSED in message.to:
                raise smtplib.SMTPRecipientsRefused({REFUSED: (550, b"mailbox unavailable")})
            SENT.append((message.to, message.subject))
        return len(email_messages)
