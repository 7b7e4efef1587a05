"""Settings for the test suite: the one settings module in test mode (PostgreSQL and Redis)."""

import os

os.environ["HERNING_ENV"] = "test"

from herning.settings import *  # noqa: F403
