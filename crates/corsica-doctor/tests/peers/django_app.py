"""The application the export tests run with exported Django settings:

    PYTHONPATH=DIR python django_app.py

DIR holds cors_policy.py (`corsica export --to django`, or a deliberately
broken module with only CORS_* settings). Prints `PORT <n>` once listening.
/error answers 500, /throw raises (Django's own 500 answer), everything else
200; every answer from the view carries `x-upstream: yes`.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import cors_policy  # noqa: E402
from django.conf import settings  # noqa: E402

names = getattr(cors_policy, "__all__", None) or [
    n for n in dir(cors_policy) if n.startswith("CORS_")
]
middleware = []
if hasattr(cors_policy, "PreflightGuard"):
    middleware.append("cors_policy.PreflightGuard")
middleware.append("corsheaders.middleware.CorsMiddleware")
settings.configure(
    DEBUG=False,
    SECRET_KEY="corsica-export-test",
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    INSTALLED_APPS=["corsheaders"],
    MIDDLEWARE=middleware,
    LOGGING={"version": 1, "disable_existing_loggers": True},
    **{n: getattr(cors_policy, n) for n in names},
)

import django  # noqa: E402

django.setup()

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.urls import re_path  # noqa: E402


def view(request):
    if request.path == "/throw":
        raise RuntimeError("the application failed")
    response = HttpResponse("ok", status=500 if request.path == "/error" else 200)
    response["x-upstream"] = "yes"
    return response


urlpatterns = [re_path(r"", view)]

if __name__ == "__main__":
    from wsgi_server import serve

    serve(get_wsgi_application())
