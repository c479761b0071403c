import os

# Qt tests never need a screen.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from hypothesis import HealthCheck, settings  # noqa: E402

# Input generation's speed is the machine's, not the code's: on a busy CI runner Hypothesis' too_slow
# check failed a property whose examples are cheap (4 inputs in 1.08 s at load 15). Every other health
# check stays on, and each test's own settings (examples, deadline) still apply.
settings.register_profile("project", suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("project")
