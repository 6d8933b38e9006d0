"""`ordersight serve`: the receiver under uvicorn, several workers, graceful shutdown."""

from __future__ import annotations

import argparse
import copy
import os

import uvicorn

from ordersight.environment import say
from plumbing.database import database_url
from plumbing.settings import DATABASE_URL_ENV

GRACEFUL_SHUTDOWN_SECONDS = 30


def log_config() -> dict:
    """uvicorn's logging, plus the receiver's JSON lines on stderr as they are (every worker)."""
    config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config["formatters"]["plain"] = {"format": "%(message)s"}
    config["handlers"]["plain"] = {
        "formatter": "plain",
        "class": "logging.StreamHandler",
        "stream": "ext://sys.stderr",
    }
    config["loggers"]["ordersight"] = {"handlers": ["plain"], "level": "INFO", "propagate": False}
    return config


def cmd_serve(args: argparse.Namespace) -> int:
    # Workers are separate processes: they read the warehouse from the environment.
    os.environ[DATABASE_URL_ENV] = database_url(start=True)
    say(f"receiver on http://{args.host}:{args.port} with {args.workers} worker(s)")
    uvicorn.run(
        "ingest.service.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        # uvicorn's access log would print SF's callback token, which is part of the path
        access_log=False,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
        log_config=log_config(),
    )
    return 0


def add_serve_parser(sub: argparse._SubParsersAction) -> None:
    serve = sub.add_parser("serve", help="receive courier pushes into raw")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--workers", type=int, default=2)
    serve.set_defaults(func=cmd_serve)
