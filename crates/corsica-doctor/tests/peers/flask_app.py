"""The application the export tests run with an exported Flask module:

    PYTHONPATH=DIR python flask_app.py

DIR holds cors_policy.py (`corsica export --to flask`). Prints `PORT <n>`
once listening. /error answers 500, /throw raises (Flask's own 500 answer),
everything else 200; every answer from the view carries `x-upstream: yes`.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from flask import Flask, request  # noqa: E402

from cors_policy import init_cors  # noqa: E402

app = Flask(__name__)
METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"]


@app.route("/", defaults={"path": ""}, methods=METHODS)
@app.route("/<path:path>", methods=METHODS)
def view(path):
    if request.path == "/throw":
        raise RuntimeError("the application failed")
    status = 500 if request.path == "/error" else 200
    return "ok", status, {"x-upstream": "yes"}


init_cors(app)

if __name__ == "__main__":
    from wsgi_server import serve

    serve(app)
