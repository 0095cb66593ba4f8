"""The action server: rasa-sdk's app, on 127.0.0.1 only, running every action off its loop.

`python -m actions.server --port 5055` (what `firstcall run` starts). rasa-sdk 3.21's own
CLI has no --host and listens on 0.0.0.0; only Rasa, on this machine, may call us. Our
actions are sync code over the database (with SQLite, a write can wait for another
writer's lock), so each action runs in a worker thread with an event loop of its own, and
the server's loop keeps answering health checks and other calls meanwhile.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import traceback
from typing import Any

from rasa_sdk.endpoint import create_app
from rasa_sdk.executor import ActionExecutor, ActionExecutorRunResult, CollectingDispatcher
from sanic import HTTPResponse, Request, response

HOST = "127.0.0.1"
log = logging.getLogger("actions.server")


class OffLoopExecutor(ActionExecutor):
    """rasa-sdk's executor, with each (unary) action call run in a thread."""

    async def run(
        self,
        action_call: dict[str, Any],
        sink: asyncio.Queue[Any] | None = None,
        dispatcher: CollectingDispatcher | None = None,
    ) -> ActionExecutorRunResult | None:
        if sink is not None:  # streaming writes to a queue of this loop: keep it here
            return await super().run(action_call, sink=sink, dispatcher=dispatcher)
        call = super().run(action_call, dispatcher=dispatcher)
        return await asyncio.to_thread(asyncio.run, call)


def executor(package: str | None = None) -> ActionExecutor:
    actions = OffLoopExecutor()
    if package:
        actions.register_package(package)
    return actions


async def failed(request: Request, exception: Exception) -> HTTPResponse:
    """A failed action: logged with its traceback, answered without the request. rasa-sdk's
    own handler sends the whole tracker (the participant's words) back, and Rasa logs it."""
    body = request.json if isinstance(request.json, dict) else {}
    action = body.get("next_action")
    # Where it failed, not the message: a database error's message carries its parameters.
    where = "".join(traceback.format_list(traceback.extract_tb(exception.__traceback__)))
    log.error("action %s failed: %s\n%s", action, type(exception).__name__, where)
    return response.json({"error": type(exception).__name__, "action_name": action}, status=500)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="firstcall's Rasa action server (127.0.0.1)")
    parser.add_argument("--port", type=int, default=5055)
    parser.add_argument("--actions", default="actions", help="the package of actions")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    app = create_app(executor(args.actions), cors_origins=None)
    # Route handlers win over rasa-sdk's catch-all one, which echoes the request back.
    routes = [f"{app.name}.{name}" for name in ("webhook", "actions", "health")]
    app.error_handler.add(Exception, failed, route_names=routes)
    app.run(host=HOST, port=args.port, single_process=True, access_log=False, motd=False)


if __name__ == "__main__":
    main()
