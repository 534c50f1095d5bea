"""Serves a WSGI app on an ephemeral port of 127.0.0.1 and prints
`PORT <n>` (the Django and Flask harnesses of the export tests)."""

import sys
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class _Threading(ThreadingMixIn, WSGIServer):
    daemon_threads = True


def serve(application):
    httpd = make_server("127.0.0.1", 0, application, _Threading, _Quiet)
    print(f"PORT {httpd.server_port}", flush=True)
    sys.stdout.flush()
    httpd.serve_forever()
