"""Celery tasks of the accounts app. Tasks take ids and re-read the rows they work on."""

import logging
import smtplib

from celery import shared_task

from accounts.emails import send_password_reset
from accounts.models import User

logger = logging.getLogger(__name__)


@shared_task(
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=30,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
)
def send_password_reset_email(user_id):
    """Email a fresh reset link to the user; SMTP trouble is retried with growing delays.

    Skips users deleted or deactivated since the request. A retry after a send that the SMTP
    server did accept would send a second link, which is harmless: both work until the
    password changes.
    """
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.has_usable_password():
        logger.info("No password reset email: user %s is gone or inactive", user_id)
        return
    send_password_reset(user=user)
