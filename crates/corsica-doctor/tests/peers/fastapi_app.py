"""The application the export tests run with an exported FastAPI module:

    PYTHONPATH=DIR python fastapi_app.py

DIR holds cors_policy.py (`corsica export --to fastapi`). Prints `PORT <n>`
once listening (uvicorn on an ephemeral port of 127.0.0.1). /error answers
500, /throw raises (Starlette's own 500 answer), everything else 200; every
answer from the route carries `x-upstream: yes`.
"""

import socket

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse

from cors_policy import add_cors

api = FastAPI()


@api.api_route(
    "/{path:path}",
    methods=["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"],
)
async def view(request: Request, path: str):
    if path == "throw":
        raise RuntimeError("the application failed")
    status = 500 if path == "error" else 200
    return PlainTextResponse("ok", status_code=status, headers={"x-upstream": "yes"})


app = add_cors(api)

if __name__ == "__main__":
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    print(f"PORT {sock.getsockname()[1]}", flush=True)
    config = uvicorn.Config(app, log_level="critical", lifespan="off")
    uvicorn.Server(config).run(sockets=[sock])
