import os
from importlib import import_module

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qms.settings")
application = get_wsgi_application()
# Import the URLconf, and with it every view, while the worker boots rather than in the first request it serves:
# views bring in WeasyPrint and the apps, about two seconds that the first person after a deploy, or after a worker
# is recycled, would otherwise wait.
import_module(settings.ROOT_URLCONF)
