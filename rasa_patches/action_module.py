"""The custom actions run inside the Rasa server, as Rasa Pro 3.10's `actions_module` runs them.

Rasa Open Source 3.6.21 runs every custom action by an HTTP call to an action
server: the tracker as JSON one way, events and responses the other, and on
this machine waking another process twice a message, about 1.1 ms of a
message's 6-8 ms (docs/benchmarks.md). Rasa Pro 3.10 added
`action_endpoint: actions_module: <package>` to endpoints.yml, which runs the
package's rasa_sdk actions in the Rasa process instead; this is that option
for 3.6.21.

`InProcessActions` is the action endpoint with the call to the action server
replaced by rasa_sdk's own `ActionExecutor`, the code the action server runs
for each call, given the very dictionary Rasa would have sent as JSON. What
comes back is passed through JSON once, so Rasa reads what an action server
would have answered. Everything around the call is the HTTP endpoint's
(`BoundedActionEndpoint`): the time limit, and one apology instead of silence
when an action fails. What the action server would have answered with a status,
this raises as the same `ClientResponseError`, so Rasa's `RemoteAction` and the
apology take the same path: a rejection (`ActionExecutionRejection`, 400) reaches
Rasa's form handling; an unknown action (404) and an action that raises (500)
get the apology.

The actions run on the Rasa server's event loop, as Rasa Pro runs them and as
rasa_sdk's action server runs them on its own: a synchronous action holds the
loop while it runs. An action that awaits (an API, a database) is cut off at
the time limit with an apology; a synchronous one cannot be, and one that
never returns would stop the server, where behind an action server it would
stop the action server and cost each message the time limit. Handing each
call to a thread of its own, which would bound that too, cost more than the
action server's round trip saved (docs/benchmarks.md).

`rasa_patches.action_endpoint.bounded` chooses: ACTION_SERVER_URL set, the
action server there; else `actions_module` when endpoints.yml names one; else
endpoints.yml's `url`. As in Rasa Pro, `actions_module` wins over `url`.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import logging
from typing import Any

from rasa.utils.endpoints import ClientResponseError, EndpointConfig
from rasa_sdk.executor import ActionExecutor
from rasa_sdk.interfaces import ActionExecutionRejection, ActionNotFoundException

from rasa_patches.action_endpoint import DEFAULT_ACTION_TIMEOUT, BoundedActionEndpoint

logger = logging.getLogger(__name__)

ACTIONS_MODULE = "actions_module"


def configured_module(kwargs: dict[str, Any]) -> str | None:
    """endpoints.yml's `actions_module` (Rasa keeps unknown keys in `kwargs`), or None."""
    value = kwargs.get(ACTIONS_MODULE)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ValueError(
            f"endpoints: action_endpoint `{ACTIONS_MODULE}` must name a Python package, not {value!r}"
        )
    return value.strip()


def load_executor(module: str) -> ActionExecutor:
    """rasa_sdk's executor with every action of `module`, as `rasa run actions --actions module` loads it.

    A module that does not import stops the Rasa server at start-up, as it stops
    the action server, instead of leaving a server with no actions.
    """
    # rasa_sdk's register_package logs an import error and goes on; importing
    # first makes the error the server's.
    importlib.import_module(module)
    executor = ActionExecutor()
    executor.register_package(module)
    return executor


def _error_response(status: int, reason: str, body: dict[str, Any]) -> ClientResponseError:
    return ClientResponseError(status, reason, json.dumps(body))


class InProcessActions(BoundedActionEndpoint):
    """The action endpoint, with the actions of `module` run in this process."""

    def __init__(
        self,
        module: str,
        timeout: float = DEFAULT_ACTION_TIMEOUT,
        executor: ActionExecutor | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(timeout=timeout, **kwargs)
        self.module = module
        self.executor = executor if executor is not None else load_executor(module)
        self.url = None

    @classmethod
    def wrap_module(cls, endpoint: EndpointConfig, module: str, timeout: float) -> InProcessActions:
        """endpoints.yml's action endpoint, its settings kept (`enable_selective_domain`, ...)."""
        dropped = ("timeout", ACTIONS_MODULE)
        kept = {key: value for key, value in endpoint.kwargs.items() if key not in dropped}
        in_process = cls(module, timeout=timeout, **kept)
        in_process.type = endpoint.type
        return in_process

    def describe(self) -> str:
        return f"The actions of '{self.module}' (in the Rasa process)"

    async def _send(
        self, method: str, subpath: str | None, content_type: str | None, compress: bool, **kwargs: Any
    ) -> Any:
        action_call = kwargs.get("json")
        if method.lower() != "post" or subpath or not isinstance(action_call, dict):
            raise _error_response(400, "Bad Request", {"error": "Invalid body request"})
        # An action waiting on something (an API, a database) is cut off at the
        # time limit, as a call to the action server is.
        return await asyncio.wait_for(self._run(action_call), timeout=self.timeout)

    async def _run(self, action_call: dict[str, Any]) -> Any:
        """What rasa_sdk's /webhook does with one call (rasa_sdk/endpoint.py, 3.6), statuses as errors."""
        try:
            result = await self.executor.run(action_call)
        except ActionExecutionRejection as error:
            logger.debug(error)
            body = {"error": error.message, "action_name": error.action_name}
            raise _error_response(400, "Bad Request", body) from None
        except ActionNotFoundException as error:
            logger.error(error)
            body = {"error": error.message, "action_name": error.action_name}
            raise _error_response(404, "Not Found", body) from None
        except Exception as error:
            # Sanic answers 500 and logs the traceback; so does this.
            logger.exception(f"Action '{action_call.get('next_action')}' raised {type(error).__name__}")
            raise _error_response(500, "Internal Server Error", {"error": str(error)}) from None
        # As the JSON an action server sends: lists, not tuples, and nothing
        # JSON cannot carry.
        return json.loads(json.dumps(result))
