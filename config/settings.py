"""Settings for the shop, read from the environment (and an optional `.env` file).

With nothing set but a secret key the shop runs on the embedded default: SQLite, a
local-memory cache, Celery tasks executed in-process after commit and emails printed to the
console. `DATABASE_URL` and `REDIS_URL` switch to PostgreSQL and Redis. Debug is off unless
asked for, and production refuses to start on an unsafe configuration.
"""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# Local convenience only: `make run` writes `.env`; real deployments set the environment.
if env.bool("DJANGO_READ_DOT_ENV", default=True):
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SECURE_HTTPS = env.bool("SECURE_HTTPS", default=not DEBUG)

# Payments (payments/gateways.py): "test" (test cards, the default for local use) or "stripe".
SHOP_PAYMENT_GATEWAY = env.str("SHOP_PAYMENT_GATEWAY", default="test")
# With debug off the test gateway only runs when this says so (CI and load tests).
SHOP_ALLOW_TEST_PAYMENTS = env.bool("SHOP_ALLOW_TEST_PAYMENTS", default=False)
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="https://api.stripe.com").rstrip("/")
# How long an order holds its stock while unpaid; a Stripe Checkout Session expires with it,
# and Stripe only accepts 30 minutes to 24 hours (a minute more, so a retry still fits).
SHOP_UNPAID_ORDER_MINUTES = env.int(
    "SHOP_UNPAID_ORDER_MINUTES", default=60 if SHOP_PAYMENT_GATEWAY == "stripe" else 30
)
STRIPE_SESSION_MINUTES = (31, 24 * 60)


def payment_problems():
    problems = []
    if SHOP_PAYMENT_GATEWAY not in {"test", "stripe"}:
        problems.append("SHOP_PAYMENT_GATEWAY must be 'test' or 'stripe'")
    if SHOP_PAYMENT_GATEWAY == "test" and not DEBUG and not SHOP_ALLOW_TEST_PAYMENTS:
        problems.append(
            "the test payment gateway takes no real money: set SHOP_PAYMENT_GATEWAY=stripe, "
            "or SHOP_ALLOW_TEST_PAYMENTS=true on purpose"
        )
    if SHOP_PAYMENT_GATEWAY == "stripe":
        if not STRIPE_SECRET_KEY or not STRIPE_WEBHOOK_SECRET:
            problems.append("Stripe needs STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET")
        low, high = STRIPE_SESSION_MINUTES
        if not low <= SHOP_UNPAID_ORDER_MINUTES <= high:
            problems.append(f"with Stripe, SHOP_UNPAID_ORDER_MINUTES must be {low} to {high}")
    return problems


def refuse_unsafe_configuration():
    """Stop at start-up rather than serve a shop with a guessable key, open hosts or a payment
    gateway that cannot take money."""
    problems = payment_problems()
    if len(SECRET_KEY) < 32 or SECRET_KEY.startswith("django-insecure"):
        problems.append("DJANGO_SECRET_KEY must be set to a random value of 32+ characters")
    if not DEBUG and not ALLOWED_HOSTS:
        problems.append("ALLOWED_HOSTS must list the shop's host names when debug is off")
    if not DEBUG and "*" in ALLOWED_HOSTS:
        problems.append("ALLOWED_HOSTS must not be '*' when debug is off")
    if problems:
        raise ImproperlyConfigured("Unsafe configuration: " + "; ".join(problems))


refuse_unsafe_configuration()

INSTALLED_APPS = [
    # The admin site that asks staff for a second factor (config/admin_site.py).
    "config.apps.ShopAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "axes",
    "django_countries",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "accounts",
    "catalog",
    "billing",
    "promotions",
    "outbox",
    "orders",
    "payments",
    "marketing",
    "reports",
    "ops",
    "pages",
]

MIDDLEWARE = [
    "config.logging.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "config.private_pages.PrivatePagesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Compresses pages (whitenoise already serves static files compressed, so it comes after
    # it). Django pads gzip output against BREACH, and CSRF tokens are masked per response.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session passed the second factor.
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Last, as django-axes asks, so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "config.context_processors.shop",
                "orders.context_processors.cart_summary",
                "pages.context_processors.footer",
            ],
        },
    },
]

# Database: SQLite file unless DATABASE_URL says otherwise.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # libpq's minimum; /healthz answers within a second anyway (config/health.py), and after a
    # failed attempt requests get the 503 at once for a moment (config/postgresql/base.py).
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = 2
    DATABASES["default"]["ENGINE"] = "config.postgresql"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis when REDIS_URL (or REDIS_CACHE_URL, for a Redis instance of its own) is set,
# process-local memory otherwise. The backend answers as an empty cache while Redis is
# unreachable (config/cache.py), so pages are slower then, never broken.
REDIS_URL = env.str("REDIS_URL", default="")
REDIS_CACHE_URL = env.str("REDIS_CACHE_URL", default=REDIS_URL)
if REDIS_CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "config.cache.DegradingRedisCache",
            "LOCATION": REDIS_CACHE_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Sessions (carts, logins) live in the database only: they survive a Redis outage, and no
# cached copy can go stale or outlive a logout.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:profile"
LOGOUT_REDIRECT_URL = "catalog:home"

# Failed logins (README, "Login throttling"): django-axes locks an (account, address) pair after
# AXES_FAILURE_LIMIT failures until the cool-off has passed, so failures from one address never
# block another account there and failures from elsewhere never block the customer at their own
# address. Guessing one account from many addresses is slowed down by accounts/throttling.py.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Logging in clears that pair's failures only (the lockout parameters filter the reset).
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# Lockouts and rate limits count per client address; behind reverse proxies that append to
# X-Forwarded-For, set SHOP_TRUSTED_PROXIES to their number (else every client shares the
# proxy's address).
SHOP_TRUSTED_PROXIES = env.int("SHOP_TRUSTED_PROXIES", default=0)
AXES_CLIENT_IP_CALLABLE = "accounts.client_ip.client_ip"
RATELIMIT_IP_META_KEY = "accounts.client_ip.client_ip"
# Sign-up and reset limits count in the cache; while it is unreachable they let requests
# through rather than turn every customer away.
RATELIMIT_FAIL_OPEN = True

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_MAX_AGE = 31536000

# Email: console unless EMAIL_URL names an SMTP server (smtp+tls://user:pass@host:587).
# Django 6.1 configures senders through MAILERS; django-environ parses the URL.
_email = env.email_url("EMAIL_URL", default="consolemail://")
MAILERS = {"default": {"BACKEND": _email["EMAIL_BACKEND"], "OPTIONS": {}}}
if _email["EMAIL_BACKEND"].endswith("smtp.EmailBackend"):
    MAILERS["default"]["OPTIONS"] = {
        "host": _email["EMAIL_HOST"],
        "port": _email.get("EMAIL_PORT") or None,
        "username": _email.get("EMAIL_HOST_USER", ""),
        "password": _email.get("EMAIL_HOST_PASSWORD", ""),
        "use_tls": bool(_email.get("EMAIL_USE_TLS")),
        "use_ssl": bool(_email.get("EMAIL_USE_SSL")),
        "timeout": 20,
    }
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Shop <shop@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# The shop itself.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
SHOP_NAME = env.str("SHOP_NAME", default="Northwind Goods")
# Two-factor authentication (django-otp): staff always, customers who turn it on. Authenticator
# apps show the shop's name next to the account.
OTP_TOTP_ISSUER = SHOP_NAME
SHOP_CURRENCY = env.str("SHOP_CURRENCY", default="EUR").upper()
# The country the shop is established in (ISO 3166 alpha-2): its VAT rates apply to deliveries
# to countries without rates of their own (billing.selectors.tax_rates_for).
SHOP_COUNTRY = env.str("SHOP_COUNTRY", default="DE").upper()
# The seller on invoices and credit notes (billing): legal name, postal address (its lines
# separated by commas) and VAT identification number.
SHOP_SELLER_NAME = env.str("SHOP_SELLER_NAME", default=SHOP_NAME)
SHOP_SELLER_ADDRESS = env.str("SHOP_SELLER_ADDRESS", default="")
SHOP_SELLER_VAT_ID = env.str("SHOP_SELLER_VAT_ID", default="")
SHOP_PRODUCTS_PER_PAGE = 24
SHOP_LOW_STOCK_THRESHOLD = 5
SHOP_STANDARD_SHIPPING = Decimal(env.str("SHOP_STANDARD_SHIPPING", default="4.90"))
SHOP_EXPRESS_SHIPPING = Decimal(env.str("SHOP_EXPRESS_SHIPPING", default="14.90"))
SHOP_FREE_SHIPPING_THRESHOLD = Decimal(env.str("SHOP_FREE_SHIPPING_THRESHOLD", default="75.00"))
# Shown where shoppers decide (product page, cart); the policy itself is the content page
# /pages/shipping-returns/.
SHOP_RETURNS_DAYS = env.int("SHOP_RETURNS_DAYS", default=30)
SHOP_CATALOG_CACHE_SECONDS = env.int("SHOP_CATALOG_CACHE_SECONDS", default=300)
# The signed link to an order's page in emails opens it without logging in for this long.
SHOP_GUEST_LINK_DAYS = env.int("SHOP_GUEST_LINK_DAYS", default=90)
# Order emails (orders/emails.py): a claim older than the timeout belongs to a dead worker; it
# must exceed the task's hard time limit plus the SMTP timeout. Failed sends back off
# exponentially from the base and give up (visible in the admin) after the last attempt.
SHOP_EMAIL_CLAIM_TIMEOUT = env.int("SHOP_EMAIL_CLAIM_TIMEOUT", default=300)
SHOP_EMAIL_RETRY_BASE_SECONDS = env.int("SHOP_EMAIL_RETRY_BASE_SECONDS", default=60)
SHOP_EMAIL_MAX_ATTEMPTS = env.int("SHOP_EMAIL_MAX_ATTEMPTS", default=8)
# A cart left unchanged this long (and not bought) earns its one reminder email.
SHOP_ABANDONED_CART_DELAY_MINUTES = env.int("SHOP_ABANDONED_CART_DELAY_MINUTES", default=240)

# Celery: Redis as broker when configured; otherwise tasks run in-process (eagerly), and the
# services enqueue them on commit, so they still run after the transaction commits.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 90
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Workers and beat reconnect for as long as the broker is away (Celery gives up after 100 tries).
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# A task running when the broker goes away finishes; its redelivery later is harmless (the
# email outbox sends each row once), cancelling it could cut an SMTP conversation short.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
# A request never waits long on a broker that is down: one try with short timeouts, no retry
# (and config.celery.ShopTask skips the broker for a few seconds after a failure). The outbox
# sweep sends what could not be enqueued.
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 0.5,
    "socket_timeout": 1,
    "max_retries": 0,
    # Must exceed the longest task so Redis does not redeliver a task still running.
    "visibility_timeout": 3600,
}
CELERY_BEAT_SCHEDULE = {
    "send-pending-emails": {
        "task": "outbox.tasks.send_pending_emails",
        "schedule": timedelta(seconds=env.int("SHOP_EMAIL_SWEEP_SECONDS", default=60)),
    },
    "send-abandoned-cart-emails": {
        "task": "marketing.tasks.send_abandoned_cart_emails",
        "schedule": timedelta(minutes=5),
    },
    "send-back-in-stock-alerts": {
        "task": "marketing.tasks.send_back_in_stock_alerts",
        "schedule": timedelta(minutes=1),
    },
    "roll-up-sales": {
        "task": "reports.tasks.roll_up_sales",
        "schedule": crontab(minute="*/30"),
    },
    "cancel-unpaid-orders": {
        "task": "orders.tasks.cancel_unpaid_orders",
        "schedule": crontab(minute="*/15"),
    },
    # Promotions start and end on the catalog within a minute of their times.
    "apply-promotions": {
        "task": "promotions.tasks.apply_promotions",
        "schedule": timedelta(minutes=1),
    },
}

# Security: on unless SECURE_HTTPS is false (plain-http production settings on loopback only).
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_SSL_REDIRECT = SECURE_HTTPS
SESSION_COOKIE_SECURE = SECURE_HTTPS
CSRF_COOKIE_SECURE = SECURE_HTTPS
SECURE_HSTS_SECONDS = 31536000 if SECURE_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HTTPS
SECURE_HSTS_PRELOAD = SECURE_HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_CSP = {
    "default-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
    "base-uri": ["'self'"],
}
if SHOP_PAYMENT_GATEWAY == "stripe":
    # "Place order" answers with a redirect to Stripe's hosted page: browsers apply
    # form-action to the redirect of a form's submission too.
    SECURE_CSP["form-action"].append("https://checkout.stripe.com")
if not SECURE_HTTPS:
    # `check --deploy` is about real deployments; plain http is only allowed on purpose.
    SILENCED_SYSTEM_CHECKS = [
        "security.W004",
        "security.W008",
        "security.W012",
        "security.W016",
    ]

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "filters": {"request_id": {"()": "config.logging.RequestIdFilter"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        # The request log below replaces Django's own access lines.
        "django.server": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
        # The Stripe SDK logs every API call at INFO; the shop logs what matters itself.
        "stripe": {"level": "WARNING"},
        # WeasyPrint logs each step of rendering a PDF at INFO.
        "weasyprint": {"level": "WARNING"},
    },
}

# Operations: media on object storage, error tracking, metrics and the single beat.

# Media (product images and their renditions) on S3-compatible object storage when
# MEDIA_S3_BUCKET is set (django-storages, see config/media.py), else on the local disk.
MEDIA_S3_BUCKET = env.str("MEDIA_S3_BUCKET", default="")
if MEDIA_S3_BUCKET:
    from config.media import s3_media_storage

    STORAGES["default"], MEDIA_ORIGIN = s3_media_storage(
        bucket=MEDIA_S3_BUCKET,
        endpoint_url=env.str("MEDIA_S3_ENDPOINT_URL", default=""),
        region=env.str("MEDIA_S3_REGION", default=""),
        custom_domain=env.str("MEDIA_S3_CUSTOM_DOMAIN", default=""),
    )
    # The browser loads the images from there.
    SECURE_CSP["img-src"] = [*SECURE_CSP["img-src"], MEDIA_ORIGIN]

# Error tracking: Sentry when SENTRY_DSN is set (config/sentry.py says what is never sent).
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    from config.sentry import init_sentry

    init_sentry(
        dsn=SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default="production"),
        release=env.str("SENTRY_RELEASE", default=""),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )

# /metrics (ops/views.py) answers requests made directly from loopback, and others that send
# "Authorization: Bearer <METRICS_TOKEN>" (e.g. a Prometheus scraping each web container).
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
SECURE_REDIRECT_EXEMPT = [*SECURE_REDIRECT_EXEMPT, r"^metrics$"]

# Celery beat runs at most once: only the process holding a lock in the broker's Redis
# schedules (config/beat.py). Remote control lets `celery inspect ping` reach beat (health).
CELERY_BEAT_SCHEDULER = "config.beat:SingleBeatScheduler"
CELERY_BEAT_ENABLE_REMOTE_CONTROL = True
SHOP_BEAT_LOCK_SECONDS = 60
