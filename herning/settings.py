"""Settings for herning, read from environment variables.

One module for every mode. ``HERNING_ENV`` picks the defaults:

* ``development`` (default): SQLite in ``var/``, an embedded file-system broker for Celery,
  e-mail printed to the console. Enough for a first look on a fresh machine.
* ``test``: PostgreSQL and Redis on 127.0.0.1, as in production; e-mail kept in memory.
* ``production``: nothing is assumed. Every required variable must be set, and a malformed
  value stops the process at start-up instead of surfacing later as odd behaviour.

Every variable is documented in ``.env.example``. A secret may also be given as a file path in
``<NAME>_FILE`` (Docker and Kubernetes secrets).
"""

from __future__ import annotations

import os
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("HERNING_VAR_DIR", BASE_DIR / "var"))

_env = environ.Env()
if (BASE_DIR / ".env").is_file() and os.environ.get("HERNING_READ_DOTENV", "1") == "1":
    # A local .env (never committed) is a convenience for development; real environment wins.
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

ENVIRONMENTS = ("development", "test", "production")
HERNING_ENV = os.environ.get("HERNING_ENV", "development")
if HERNING_ENV not in ENVIRONMENTS:
    raise ImproperlyConfigured(f"HERNING_ENV must be one of {', '.join(ENVIRONMENTS)}, not {HERNING_ENV!r}.")
PRODUCTION = HERNING_ENV == "production"
TESTING = HERNING_ENV == "test"

_MISSING = object()
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_str(name: str, default=_MISSING, *, dev_default=_MISSING) -> str:
    """A string variable; ``NAME_FILE`` may point to a file holding it.

    ``dev_default`` applies outside production only: production must set the variable.
    """
    if name in os.environ:
        return os.environ[name]
    file_var = f"{name}_FILE"
    if file_var in os.environ:
        try:
            return Path(os.environ[file_var]).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{file_var} points to a file that cannot be read: {exc}") from exc
    if not PRODUCTION and dev_default is not _MISSING:
        return dev_default
    if default is not _MISSING:
        return default
    raise ImproperlyConfigured(f"The environment variable {name} is required (HERNING_ENV={HERNING_ENV}).")


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false, 1/0, yes/no, on/off), not {raw!r}.")


def env_int(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}.")
    if maximum is not None and value > maximum:
        raise ImproperlyConfigured(f"{name} must be at most {maximum}, not {value}.")
    return value


def env_list(name: str, default=_MISSING, *, dev_default=_MISSING) -> list[str]:
    """A comma-separated list variable."""
    raw = env_str(
        name,
        default=None if default is not _MISSING else _MISSING,
        dev_default=None if dev_default is not _MISSING else _MISSING,
    )
    if raw is None:
        fallback = dev_default if (not PRODUCTION and dev_default is not _MISSING) else default
        return list(fallback)
    return [item.strip() for item in raw.split(",") if item.strip()]


# --- Core -------------------------------------------------------------------------------------

SECRET_KEY = env_str("SECRET_KEY", dev_default="insecure-development-key-do-not-use-in-production")
if PRODUCTION and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("insecure")):
    raise ImproperlyConfigured("SECRET_KEY must be a random string of at least 50 characters in production.")

DEBUG = env_bool("DEBUG", default=HERNING_ENV == "development")
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must not be on in production: it shows personal data in error pages.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", dev_default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", default=[])

# Absolute address of the product, used for links in e-mails and calendar feeds.
# Links in e-mails. In development it follows the port the product is served on (``make run
# PORT=…`` hands HERNING_PORT to the web server, the worker and the scheduler alike).
BASE_URL = env_str(
    "HERNING_BASE_URL", dev_default=f"http://127.0.0.1:{os.environ.get('HERNING_PORT') or '8000'}"
).rstrip("/")
if not BASE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"HERNING_BASE_URL must start with http:// or https://, not {BASE_URL!r}.")

INSTALLED_APPS = [
    "herning.organisation.admin_apps.HerningAdminConfig",  # django.contrib.admin, scoped (docs/access.md)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "django_htmx",
    "simple_history",
    "django_otp",
    "django_otp.plugins.otp_totp",
    # No longer used (its codes were plain text; backup codes are herning.accounts' hashed ones).
    # Installed still so that migration accounts 0002 can move the old codes over.
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    # Our own apps; README "Architecture" says what each owns.
    "herning.core",
    "herning.organisation",
    "herning.accounts",
    "herning.audit",
    "herning.api",
    "cases",
    "measures",
    "followups",
    "network_meetings",
    "evaluation",
    "dashboards",
    "dubu",
]

MIDDLEWARE = [
    # First, so its time covers every other middleware; not loaded unless HERNING_SERVER_TIMING is on.
    "herning.core.middleware.ServerTimingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "herning.core.middleware.DanishFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "herning.core.middleware.NoCprInQueryStringMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Outside every middleware and view that sends a person to the login: a part of a page asked
    # for by HTMX sends the whole page there instead.
    "herning.accounts.middleware.HtmxLoginRedirectMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # django-otp's, checking the authenticator app against the person's read with them.
    "herning.accounts.middleware.OTPMiddleware",
    "herning.accounts.middleware.TwoFactorRequiredMiddleware",
    # After the second factor: the national operator opens the admin and their account only.
    "herning.accounts.middleware.NationalOperatorConfinedMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After the messages, so it can say why; before any view, so an old login opens nothing.
    "herning.accounts.session_lifetime.SessionLifetimeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # The API's RateLimit fields, from what its throttles counted (herning.api.throttling).
    "herning.api.throttling.RateLimitHeadersMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lockout raised by authentication into its response.
    "axes.middleware.AxesMiddleware",
]

# A Server-Timing header with the application's and the database's time per request (the
# benchmark reads it; so can a browser's developer tools). Off by default: see the middleware.
SERVER_TIMING = env_bool("HERNING_SERVER_TIMING", False)

ROOT_URLCONF = "herning.urls"
WSGI_APPLICATION = "herning.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "herning.core.context_processors.navigation",
            ],
        },
    },
]
# Every form renders with the design system's markup (label, hint, error, aria-describedby).
FORM_RENDERER = "herning.core.forms.DesignSystemFormRenderer"

# --- Database ---------------------------------------------------------------------------------

_DEFAULT_DATABASE_URL = {
    "development": f"sqlite:///{VAR_DIR / 'herning.sqlite3'}",
    "test": "postgres://postgres@127.0.0.1:5432/herning",
}.get(HERNING_ENV, _MISSING)
try:
    DATABASES = {"default": _env.db_url_config(env_str("DATABASE_URL", dev_default=_DEFAULT_DATABASE_URL))}
except (ValueError, KeyError) as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a valid database address: {exc}") from exc
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # Web, worker and scheduler share one SQLite file in the embedded default: WAL lets readers
    # go on while one writes, and IMMEDIATE transactions wait for the lock instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env_int("DB_CONN_MAX_AGE", 60, minimum=0))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and not env_bool("DB_JIT", False):
        # PostgreSQL compiles a query with JIT when its estimated cost is high, which the access
        # filter's nested EXISTS make it for many small reads at national scale: 7-20 ms of
        # compiling for a query that runs in 0.1 ms (benchmarks/RESULTS.md). Short queries are
        # this product's whole load, so JIT is off unless DB_JIT says otherwise.
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c jit=off".strip()

# Prepared statements. Most reads here cost PostgreSQL more to plan than to run: the access rule
# joins many tables and the planner weighs every order of them (benchmarks/RESULTS.md, 1-7 ms of
# planning against 0.1-2.5 ms of execution). Django binds parameters on the client unless told
# otherwise, so every read is a new statement to the server. With `server_side_binding`, psycopg
# prepares a statement a connection has run `prepare_threshold` times (5; Django's default is never)
# and the server keeps its plan for the connection's life (CONN_MAX_AGE), up to psycopg's 100 most
# recent statements. On by default on a direct connection; off behind PgBouncer unless it keeps
# prepared statements (1.21 and later, `max_prepared_statements`).
DATABASE_POOLED = env_bool("DATABASE_POOLED", False)
DB_PREPARED_STATEMENTS = env_bool("DB_PREPARED_STATEMENTS", not DATABASE_POOLED)
if DB_PREPARED_STATEMENTS and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _prepared_options = DATABASES["default"].setdefault("OPTIONS", {})
    _prepared_options["server_side_binding"] = True
    _prepared_options["prepare_threshold"] = 5

# Behind PgBouncer in transaction pooling (the compose file's `pgbouncer`), a connection is a
# different server session from one transaction to the next. Django documents what that needs:
# no server-side cursors (they live past the transaction that opened them), and psycopg must not
# prepare statements (PgBouncer 1.18, Debian's, does not track them). PgBouncer also refuses the
# `options` startup parameter, so `jit=off` is set on the database instead (README, "Operations").
if DATABASE_POOLED and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 0, minimum=0)
    _pooled_options = DATABASES["default"].setdefault("OPTIONS", {})
    _pooled_options.pop("options", None)
    if not DB_PREPARED_STATEMENTS:
        _pooled_options["prepare_threshold"] = None

# The statistics replica: evaluation pages, their exports and the statistics figures read from a
# streaming replica when STATISTICS_DATABASE_URL is set (herning.core.replica decides, per request,
# whether it is reachable and fresh enough; writes never go there). Unset, everything reads the
# primary.
STATISTICS_DATABASE_URL = env_str("STATISTICS_DATABASE_URL", default="")
if STATISTICS_DATABASE_URL:
    try:
        DATABASES["statistics"] = _env.db_url_config(STATISTICS_DATABASE_URL)
    except (ValueError, KeyError) as exc:
        raise ImproperlyConfigured(f"STATISTICS_DATABASE_URL is not a valid database address: {exc}") from exc
    if DATABASES["statistics"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured(
            "STATISTICS_DATABASE_URL must be a postgres:// address (a streaming replica)."
        )
    DATABASES["statistics"]["CONN_MAX_AGE"] = DATABASES["default"].get("CONN_MAX_AGE", 0)
    DATABASES["statistics"]["CONN_HEALTH_CHECKS"] = True
    _statistics_options = DATABASES["statistics"].setdefault("OPTIONS", {})
    # An unreachable replica must cost a request seconds at most before it falls back to the primary.
    _statistics_options.setdefault("connect_timeout", env_int("STATISTICS_CONNECT_TIMEOUT", 2, minimum=1))
    if "options" in DATABASES["default"].get("OPTIONS", {}):
        _statistics_options.setdefault("options", DATABASES["default"]["OPTIONS"]["options"])
    # The test suite has no replica of its own database: the alias reads the test database.
    DATABASES["statistics"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["herning.core.replica.StatisticsRouter"]
# How far behind the primary the replica may be before its reads go to the primary instead, and
# how long one process trusts its last look at the replica.
STATISTICS_MAX_LAG_SECONDS = env_int("STATISTICS_MAX_LAG_SECONDS", 300, minimum=0)
STATISTICS_CHECK_SECONDS = env_int("STATISTICS_CHECK_SECONDS", 10, minimum=0)
if PRODUCTION and DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("Production runs on PostgreSQL: DATABASE_URL must be a postgres:// address.")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "organisation.User"

# --- Redis, cache and Celery ------------------------------------------------------------------

REDIS_URL = env_str("REDIS_URL", default="", dev_default="redis://127.0.0.1:6379/1" if TESTING else "")
if PRODUCTION and not REDIS_URL:
    raise ImproperlyConfigured("The environment variable REDIS_URL is required (HERNING_ENV=production).")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(
        f"REDIS_URL must start with redis://, rediss:// or unix://, not {REDIS_URL!r}."
    )

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "herning.core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "herning",
            "TIMEOUT": 300,
            # A Redis that is down must cost a page milliseconds, not a hang.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Sessions live in the database: the web tier keeps no state and survives a Redis outage.
SESSION_ENGINE = "herning.accounts.sessions"

# The embedded default uses kombu's file-system transport: a real broker with real queues, on disk,
# so worker and scheduler run as in production without a Redis server on a first-look machine.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
CELERY_FILESYSTEM_DIR = VAR_DIR / "celery"
if CELERY_BROKER_URL.startswith("filesystem://"):
    if PRODUCTION:
        raise ImproperlyConfigured("Production needs a real broker: set CELERY_BROKER_URL or REDIS_URL.")
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_FILESYSTEM_DIR / "queue"),
        "data_folder_out": str(CELERY_FILESYSTEM_DIR / "queue"),
        "processed_folder": str(CELERY_FILESYSTEM_DIR / "processed"),
        "control_folder": str(CELERY_FILESYSTEM_DIR / "control"),
        "store_processed": False,
    }
    CELERY_RESULT_BACKEND = f"file://{CELERY_FILESYSTEM_DIR / 'results'}"
    for _folder in ("queue", "processed", "results", "control"):
        (CELERY_FILESYSTEM_DIR / _folder).mkdir(parents=True, exist_ok=True)
else:
    # A task taken by a worker that dies before acknowledging it (acks_late) goes back to the queue
    # after this many seconds: longer than the longest task, or a slow task would run twice at once.
    _visibility_timeout = env_int("HERNING_BROKER_VISIBILITY_TIMEOUT", 3600, minimum=1, maximum=86400)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": _visibility_timeout,
        # Each worker looks for such tasks once at start and then every `interval` seconds. Kombu
        # 5.7 only looks on every 10th tick by default, so a task still younger than the timeout
        # when a new worker started came back 100 s later; one look every 10 s (at most the
        # timeout) is one small Redis read, and the task returns within timeout + 10 s.
        "unacked_restore_interval": min(10, _visibility_timeout),
        "unacked_restore_throttle": 1,
    }
    CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL)
CELERY_TIMEZONE = "Europe/Copenhagen"
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 3600
# At-least-once delivery: a task is acknowledged after it ran, so a killed worker's task is redone.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 600, minimum=1)
CELERY_TASK_TIME_LIMIT = CELERY_TASK_SOFT_TIME_LIMIT + 60
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# How often the scheduler proves it is alive (seconds); the health page reads it.
HEARTBEAT_SECONDS = env_int("HERNING_HEARTBEAT_SECONDS", 60, minimum=1, maximum=3600)

# --- Authentication ---------------------------------------------------------------------------
# docs/access.md "Log ind" says why each of these is set the way it is.

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:start"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 3  # a reset link is valid for three hours

AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out login before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "herning.accounts.backends.StaffModelBackend",
]

# Login throttling (django-axes, herning.accounts.throttling; docs/access.md "Log ind"). Three
# limits over the cool-off time: one user name from one address (axes' own lockout; a town hall
# behind one address is not locked out by one person's typing), any user names from one address
# (password spraying), and one user name from any address (guessing spread over many addresses),
# which does not apply from an address the person has logged in from lately, so it cannot be used
# to keep a named person out of their own office.
AXES_HANDLER = "herning.accounts.throttling.LoginThrottle"
AXES_FAILURE_LIMIT = env_int("HERNING_LOGIN_FAILURE_LIMIT", 5, minimum=1, maximum=100)
HERNING_LOGIN_ADDRESS_FAILURE_LIMIT = env_int(
    "HERNING_LOGIN_ADDRESS_FAILURE_LIMIT", 20, minimum=1, maximum=1000
)
HERNING_LOGIN_USER_FAILURE_LIMIT = env_int("HERNING_LOGIN_USER_FAILURE_LIMIT", 20, minimum=1, maximum=1000)
for _name in ("HERNING_LOGIN_ADDRESS_FAILURE_LIMIT", "HERNING_LOGIN_USER_FAILURE_LIMIT"):
    if globals()[_name] <= AXES_FAILURE_LIMIT:
        # Below the pair's limit the wider lock would come first and lock out more people than the typist.
        raise ImproperlyConfigured(
            f"{_name} must be above HERNING_LOGIN_FAILURE_LIMIT ({AXES_FAILURE_LIMIT})."
        )
HERNING_LOGIN_KNOWN_ADDRESS_DAYS = env_int("HERNING_LOGIN_KNOWN_ADDRESS_DAYS", 90, minimum=1, maximum=3650)
AXES_COOLOFF_TIME = env_int("HERNING_LOGIN_COOLOFF_MINUTES", 15, minimum=1, maximum=24 * 60) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# A refused attempt during a lockout is not counted, so a lockout ends one cool-off after the
# failure that caused it, however long someone keeps trying.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "herning.accounts.otp_views.locked_out"
AXES_USERNAME_FORM_FIELD = "username"
# The client's address: REMOTE_ADDR, or behind HERNING_PROXY_COUNT reverse proxies the address the
# outermost of them saw, read from the right of X-Forwarded-For (entries the client sent itself
# are ignored). 0 by default: a count above the real number of proxies lets a client pick its
# address; docker-compose.yml, meant to run behind one proxy, sets 1.
HERNING_PROXY_COUNT = env_int("HERNING_PROXY_COUNT", 0, minimum=0, maximum=5)
AXES_CLIENT_IP_CALLABLE = "herning.accounts.throttling.client_ip"

# Two-factor login (django-otp, TOTP with backup codes) is required for every member of staff
# (herning.accounts.middleware). The authenticator app shows this name beside the code.
OTP_TOTP_ISSUER = env_str("HERNING_OTP_ISSUER", default="Herning")
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Paths open between the password and the second factor besides the views marked
# ``@two_factor_exempt``: the language switch and the single sign-on callback.
TWO_FACTOR_EXEMPT_PATH_PREFIXES = ["/i18n/", "/oidc/"]

# Inactivity: a session ends after this many minutes without a request. A request renews it when
# it was last renewed a minute or more before (herning.accounts.session_lifetime), not on every
# request: saving the session is a write of its row, the costliest of a page's fixed statements.
SESSION_IDLE_MINUTES = env_int("HERNING_SESSION_IDLE_MINUTES", 30, minimum=1, maximum=24 * 60)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_RENEW_AFTER_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# However busy, a login lasts at most this many hours (a working day), then the person logs in
# again (herning.accounts.session_lifetime).
SESSION_MAX_HOURS = env_int("HERNING_SESSION_MAX_HOURS", 10, minimum=1, maximum=7 * 24)

# Optional single sign-on with the municipality's identity provider (OpenID Connect, off by default).
# The provider proves who the person is; roles are still given in Herning, and nobody is created on
# first login: a person must exist (same e-mail address) before they can sign on.
OIDC_ENABLED = env_bool("HERNING_OIDC_ENABLED", False)
# Whether the provider's own multi-factor login replaces Herning's TOTP step (only if it enforces one).
OIDC_PROVIDES_MFA = env_bool("HERNING_OIDC_PROVIDES_MFA", False)
if OIDC_ENABLED:
    OIDC_RP_CLIENT_ID = env_str("OIDC_RP_CLIENT_ID")
    OIDC_RP_CLIENT_SECRET = env_str("OIDC_RP_CLIENT_SECRET")
    OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("OIDC_OP_AUTHORIZATION_ENDPOINT")
    OIDC_OP_TOKEN_ENDPOINT = env_str("OIDC_OP_TOKEN_ENDPOINT")
    OIDC_OP_USER_ENDPOINT = env_str("OIDC_OP_USER_ENDPOINT")
    OIDC_OP_JWKS_ENDPOINT = env_str("OIDC_OP_JWKS_ENDPOINT")
    OIDC_OP_LOGOUT_ENDPOINT = env_str("OIDC_OP_LOGOUT_ENDPOINT", default="")
    OIDC_RP_SIGN_ALGO = env_str("OIDC_RP_SIGN_ALGO", default="RS256")
    OIDC_RP_SCOPES = env_str("OIDC_RP_SCOPES", default="openid email profile")
    for _name in (
        "OIDC_OP_AUTHORIZATION_ENDPOINT",
        "OIDC_OP_TOKEN_ENDPOINT",
        "OIDC_OP_USER_ENDPOINT",
        "OIDC_OP_JWKS_ENDPOINT",
    ):
        if not globals()[_name].startswith("https://") and PRODUCTION:
            raise ImproperlyConfigured(f"{_name} must be an https:// address.")
    OIDC_CREATE_USER = False
    OIDC_USE_PKCE = True
    OIDC_AUTHENTICATE_CLASS = "mozilla_django_oidc.views.OIDCAuthenticationRequestView"
    LOGIN_REDIRECT_URL_FAILURE = "accounts:login"
    AUTHENTICATION_BACKENDS.append("herning.accounts.oidc.StaffOIDCBackend")

# --- E-mail -----------------------------------------------------------------------------------

_DEFAULT_EMAIL_URL = {"development": "consolemail://", "test": "memorymail://"}.get(HERNING_ENV, _MISSING)
try:
    globals().update(_env.email_url_config(env_str("EMAIL_URL", dev_default=_DEFAULT_EMAIL_URL)))
except (ValueError, KeyError) as exc:
    raise ImproperlyConfigured(f"EMAIL_URL is not a valid e-mail address: {exc}") from exc
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", dev_default="herning@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_SUBJECT_PREFIX = "[Herning] "

# --- Internationalisation ---------------------------------------------------------------------

# Danish first: source strings are written in Danish, the users' language; English is a
# translation in locale/en. A string missing from the English catalogue still shows in Danish.
LANGUAGE_CODE = "da"
LANGUAGES = [("da", _("Dansk")), ("en", _("Engelsk"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Copenhagen"
USE_TZ = True
# Named date formats per language (herning/formats): templates say DATE_FORMAT, not a pattern.
FORMAT_MODULE_PATH = ["herning.formats"]

# --- Static files -----------------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Det Fælles Designsystem and htmx come from the npm registry (package.json), never a CDN.
    ("dkfds", NODE_MODULES / "dkfds" / "dist"),
    ("htmx", NODE_MODULES / "htmx.org" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"

# --- Security ---------------------------------------------------------------------------------

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

# Content-Security-Policy (django-csp): scripts, styles, fonts and images from our own address only.
# No inline script or style attribute runs, so an injected one cannot either; templates keep their
# JavaScript in static/js and their CSS in static/css (a test checks every template).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # The design system's CSS draws its icons as data: URIs.
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

if OIDC_ENABLED:
    # Signing on and out passes through the provider's pages after a form is sent.
    from urllib.parse import urlsplit as _urlsplit

    _provider = _urlsplit(OIDC_OP_AUTHORIZATION_ENDPOINT)
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(f"{_provider.scheme}://{_provider.netloc}")

# Error reports never carry a CPR number, in a POST body or anywhere else (herning.core.errors).
DEFAULT_EXCEPTION_REPORTER_FILTER = "herning.core.errors.CprSafeExceptionReporterFilter"
DEFAULT_EXCEPTION_REPORTER = "herning.core.errors.CprSafeExceptionReporter"

# --- REST framework ---------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "herning.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "herning.api.permissions.TokenScope",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Bodies are JSON (a generated client sends nothing else); the DUBU upload alone is multipart.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": [
        "herning.api.filters.KnownParametersFilter",
        "herning.api.filters.UpdatedAfterFilter",
        "herning.api.filters.ListFilterBackend",
        "herning.api.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "herning.api.pagination.Pagination",
    "EXCEPTION_HANDLER": "herning.api.problems.exception_handler",
    # Counted by the client's real address and announced in RateLimit fields (herning.api.throttling).
    "DEFAULT_THROTTLE_CLASSES": [
        "herning.api.throttling.AnonThrottle",
        "herning.api.throttling.UserThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_THROTTLE_ANON", default="60/minute"),
        "user": env_str("API_THROTTLE_USER", default="3000/minute"),
    },
    "DATE_INPUT_FORMATS": ["iso-8601"],
    "DATE_FORMAT": "iso-8601",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# Webhooks (docs/api.md, "Webhooks"). An address must be https and must not resolve to this
# machine or a private, link-local or otherwise non-public network (a webhook would otherwise let an
# integration make the server call inside its own network); development and the tests deliver to a
# receiver on 127.0.0.1 over http, so there the local addresses are allowed.
WEBHOOK_ALLOW_LOCAL = env_bool("HERNING_WEBHOOK_ALLOW_LOCAL", default=not PRODUCTION)
WEBHOOK_MAX_PER_TOKEN = env_int("HERNING_WEBHOOK_MAX_PER_TOKEN", 10, minimum=1, maximum=1000)
WEBHOOK_MAX_ATTEMPTS = env_int("HERNING_WEBHOOK_MAX_ATTEMPTS", 8, minimum=1, maximum=50)
SPECTACULAR_SETTINGS = {
    "TITLE": "Herning API",
    "DESCRIPTION": (
        "Case management for child-welfare advisors working the Herning model. Authenticate with "
        "`Authorization: Bearer <token>` (tokens for service users: the page "
        "`/administration/api-tokens/` or `python manage.py create_api_token`). Dates are "
        "`YYYY-MM-DD`; measure types are referenced by `code`; CPR numbers are write-only and read "
        "back masked. Errors are 4xx with a message per field, in Danish or with `Accept-Language: en` "
        "in English. Updates need `If-Match` with the `ETag` you read."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "herning.api.schema.list_items_carry_etag",
        "herning.api.schema.problems_and_preconditions",
    ],
    # Choice sets that share a field name get names of their own in the schema.
    "ENUM_NAME_OVERRIDES": {
        "CaseStateEnum": "cases.models.CaseState",
        "GoalStatusEnum": "cases.models.Goal.Status",
        "PlanKindEnum": "cases.models.Plan.Kind",
        "NotifierKindEnum": "cases.models.Notification.NotifierKind",
        "MeetingStatusEnum": "network_meetings.models.NetworkMeeting.Status",
        "MeetingKindEnum": "network_meetings.models.NetworkMeeting.Kind",
        "MovementReasonEnum": "measures.models.LadderMovement.Reason",
        "FollowUpStatusEnum": ["upcoming", "due", "overdue", "done"],
        "FollowUpKindEnum": ["municipal", "statutory"],
        "CaseloadStatusEnum": ["ok", "warning", "at_cap", "over_cap"],
        "WebhookDeliveryStateEnum": "herning.api.models.WebhookDelivery.State",
        "ChangeKindEnum": "herning.api.models.ChangeEvent.Kind",
    },
}

# --- Logging ----------------------------------------------------------------------------------

LOG_LEVEL = env_str("LOG_LEVEL", default="INFO").upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured(
        f"LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL, not {LOG_LEVEL!r}."
    )
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        # CPR numbers never reach a log line, whatever a developer or a library writes to it.
        "plain": {
            "()": "herning.core.logging.CprSafeFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # django-axes announces itself at every start; lockouts are still logged as warnings.
        "axes.apps": {"level": "WARNING"},
    },
}

# --- Product settings -------------------------------------------------------------------------


def _reminder_days(name: str, default: list[int]) -> list[int]:
    """Days before a deadline that reminders go out, e.g. ``7,1``; each a whole number 1-90."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        days = [int(part) for part in raw.split(",") if part.strip()]
    except ValueError:
        raise ImproperlyConfigured(
            f"{name} must be whole numbers separated by commas, e.g. 7,1; not {raw!r}."
        ) from None
    if not days or any(not 1 <= d <= 90 for d in days):
        raise ImproperlyConfigured(f"{name} must list days between 1 and 90, e.g. 7,1; not {raw!r}.")
    return days


HERNING = {
    # Defaults for a new team; each team may set its own (docs/domain.md §5).
    "DEFAULT_CASELOAD_CAP": env_int("HERNING_DEFAULT_CASELOAD_CAP", 25, minimum=1, maximum=200),
    "DEFAULT_CASELOAD_WARNING": env_int("HERNING_DEFAULT_CASELOAD_WARNING", 20, minimum=1, maximum=200),
    # When a case moves to another district, the advisor who gives it away calls a handover meeting
    # with the new advisor (Herningmodellen 1.0, "Praksis ved flytning af socialrådgivernes sager mellem
    # distrikter"). Herningmodellen 1.0 sets no time; this is the default deadline in days, which the
    # person moving the case can change. UNCERTAIN: set it from the municipality's own practice.
    "HANDOVER_MEETING_DAYS": env_int("HERNING_HANDOVER_MEETING_DAYS", 14, minimum=1, maximum=90),
    # How long an entry of the access log is kept, in days (docs/access.md "Adgangsloggen"). The
    # purge task deletes older entries every night. At least half a year, the old
    # sikkerhedsbekendtgørelse's floor; the default is five years because a citizen's request for
    # insight into a child-welfare case often comes years later.
    "ACCESS_LOG_RETENTION_DAYS": env_int(
        "HERNING_ACCESS_LOG_RETENTION_DAYS", 5 * 365 + 1, minimum=183, maximum=100 * 366
    ),
    # Years after a child's last case closed before the child's record may be erased by the
    # administrator procedure (docs/access.md "Sletning"). UNCERTAIN: set it from the municipality's
    # own archive rules (arkivloven, Rigsarkivets bevaringsbestemmelser).
    "CASE_RETENTION_YEARS": env_int("HERNING_CASE_RETENTION_YEARS", 5, minimum=1, maximum=100),
    # Requests for access to a child one may not see (made by registering a CPR number the
    # municipality knows) one person may make in 24 hours; further attempts are refused and the
    # data-protection role is alerted (docs/access.md "Ingen afsløring af eksisterende børn").
    "ACCESS_REQUESTS_PER_DAY": env_int("HERNING_ACCESS_REQUESTS_PER_DAY", 5, minimum=1, maximum=100),
    # Reminders of deadlines (issue 4 point 8): days before, how often the sweep runs, and the
    # hour (Danish time) of the nightly full sweep that recomputes every schedule.
    "REMINDER_DAYS_BEFORE": _reminder_days("HERNING_REMINDER_DAYS_BEFORE", [7, 1]),
    "SWEEP_MINUTES": env_int("HERNING_SWEEP_MINUTES", 15, minimum=1, maximum=1440),
    "FULL_SWEEP_HOUR": env_int("HERNING_FULL_SWEEP_HOUR", 2, minimum=0, maximum=23),
    # Records (or deadlines) per batch of the full sweep: one Celery task each, shared by the workers
    # (4,000: each batch has a fixed cost of some 25 ms, which 2,000 made a fifth of a nightly run).
    "SWEEP_BATCH_SIZE": env_int("HERNING_SWEEP_BATCH_SIZE", 4000, minimum=1, maximum=100_000),
    # Hour (Danish time) of the team leaders' daily digest of missed deadlines in their teams
    # (issue 20 point 3): early, so it is read at the start of the working day.
    "ESCALATION_DIGEST_HOUR": env_int("HERNING_ESCALATION_DIGEST_HOUR", 7, minimum=0, maximum=23),
    # The user ``import_dubu`` and ``export_dubu`` act as when no --user is given: a service user
    # holding the team-leader role in the teams whose cases it exchanges (docs/dubu-exchange.md).
    "DUBU_USER": env_str("HERNING_DUBU_USER", default=""),
    # Bounds on the work one DUBU file may ask of a worker (docs/dubu-exchange.md "Limits"). A
    # municipality's whole extract is a few megabytes and well below each of them.
    "DUBU_MAX_FILE_MB": env_int("HERNING_DUBU_MAX_FILE_MB", 50, minimum=1, maximum=1024),
    # Rows below the header, blank ones included.
    "DUBU_MAX_ROWS": env_int("HERNING_DUBU_MAX_ROWS", 100_000, minimum=1, maximum=1_000_000),
    # An XLSX is a zip file: what it unpacks to, in all, and how many parts it has.
    "DUBU_XLSX_MAX_UNPACKED_MB": env_int("HERNING_DUBU_XLSX_MAX_UNPACKED_MB", 250, minimum=1, maximum=4096),
    "DUBU_XLSX_MAX_PARTS": env_int("HERNING_DUBU_XLSX_MAX_PARTS", 1000, minimum=10, maximum=10_000),
    # How many times larger a part may unpack than it is packed (a zip bomb is near 1000; Apache
    # POI, which reads spreadsheets for many Java systems, refuses above 100 by default).
    "DUBU_XLSX_MAX_RATIO": env_int("HERNING_DUBU_XLSX_MAX_RATIO", 100, minimum=10, maximum=10_000),
    # A file sent through the page or the API from this size up is imported in the background (a
    # Celery job the page and the API follow) instead of within the request: about 2,000 rows,
    # which take a few seconds (benchmarks/RESULTS_DUBU.md), well inside the web server's timeout.
    "DUBU_BACKGROUND_FROM_KB": env_int(
        "HERNING_DUBU_BACKGROUND_FROM_KB", 256, minimum=0, maximum=1024 * 1024
    ),
}
if HERNING["DEFAULT_CASELOAD_WARNING"] > HERNING["DEFAULT_CASELOAD_CAP"]:
    raise ImproperlyConfigured(
        "HERNING_DEFAULT_CASELOAD_WARNING must not be above HERNING_DEFAULT_CASELOAD_CAP."
    )

if TESTING:
    # Hashing passwords slowly is the point in production and pure waste in tests.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
