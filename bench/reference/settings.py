"""Settings of the floor benchmark's server: the benchmarks' usual settings with the reference views mounted."""

from config.settings.local import *  # noqa: F403

ROOT_URLCONF = "bench.reference.urls"
