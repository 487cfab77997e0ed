"""The WSGI entry point (gunicorn ``citymgmt.wsgi:application``).

Once Django is set up, ``settle_process`` imports the URLconf (and with it every view, form and template tag module)
and moves everything loaded so far out of the garbage collector's reach (``gc.freeze``): the collector's full passes
no longer walk the few hundred thousand long-lived objects of Django, the models and the views, and stop adding
100-150 ms to an unlucky request (a console queue page at 1,000,000 cases: max 262 → 117 ms; bench/case_list.py
settles its process the same way)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citymgmt.settings")


def settle_process() -> None:
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - import every view now, not on a user's first request
    gc.collect()
    gc.freeze()


application = get_wsgi_application()
settle_process()
