"""Signals the registry sends for apps above it, which frameworks must not import.

``framework_version_published`` is sent once a publication has committed, with ``version`` (the
new FrameworkVersion). Example: assessments listens and tells the officers whose assessments pin
an older version of that framework that an upgrade is offered.
"""

from django.dispatch import Signal

framework_version_published = Signal()
