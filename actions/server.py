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
from typing import Any

from rasa_sdk.endpoint import create_app
from rasa_sdk.executor import ActionExecutor, ActionExecutorRunResult, CollectingDispatcher

HOST = "127.0.0.1"


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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="firstcall's Rasa action server (127.0.0.1)")
    parser.add_argument("--port", type=int, default=5055)
    parser.add_argument("--actions", default="actions", help="the package of actions")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    app = create_app(executor(args.actions), cors_origins=None)
    app.run(host=HOST, port=args.port, single_process=True, access_log=False, motd=False)


if __name__ == "__main__":
    main()
