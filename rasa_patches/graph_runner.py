"""Running Rasa's inference graph node after node, without dask's scheduler.

Rasa runs its model as a graph three times a message: once to parse the text
(the NLU pipeline) and once for each dialogue prediction. `DaskGraphRunner`
hands every run to `dask.get`, which builds a new task graph, orders it,
wraps every task in a future and tracks its state, all on one thread. For
our pipeline that bookkeeping cost as much as the CountVectorsFeaturizers
and the CRF together (docs/benchmarks.md).

`SequentialGraphRunner` runs the same nodes (the very `GraphNode` objects
Rasa built, with their hooks) with the same inputs and outputs, in an order
worked out once per list of targets. What it keeps from dask's behaviour,
because Rasa's nodes rely on it:

- only the targets' ancestors run, each once, after everything it needs;
- a node is handed `(node name, output)` for each parent, and a parent that
  is neither a node nor an input is handed over as its bare name (a
  `GraphNode` logs that it was not resolved);
- an input whose value is a string naming a node is refused, as Rasa does;
- a node's exception reaches the caller unchanged, and a `RuntimeError` is
  wrapped in `GraphRunError`, as `DaskGraphRunner.run` does.

`install` makes every `MessageProcessor` (one per loaded model, the first
one and each `PUT /model`) take a `SequentialGraphRunner` in place of the
`DaskGraphRunner` Rasa gives it, reusing the nodes (and loaded components)
that runner built (rasa_patches/assignment.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rasa.core.processor import MessageProcessor
from rasa.engine.exceptions import GraphRunError
from rasa.engine.graph import ExecutionContext, GraphNode, GraphNodeHook, GraphSchema
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.engine.runner.interface import GraphRunner
from rasa.engine.storage.storage import ModelStorage

from rasa_patches.assignment import convert_on_assignment, converts

# One step of a run: a node's name and the names of the nodes or inputs it needs.
Step = tuple[str, tuple[str, ...]]


class SequentialGraphRunner(GraphRunner):
    """Runs a graph's nodes one after the other, in an order planned once per target list."""

    def __init__(
        self,
        graph_schema: GraphSchema,
        nodes: dict[str, GraphNode],
        execution_context: ExecutionContext,
    ) -> None:
        self._graph_schema = graph_schema
        self._nodes = nodes
        self._execution_context = execution_context
        self._plans: dict[tuple[str, ...], tuple[Step, ...]] = {}

    @classmethod
    def create(
        cls,
        graph_schema: GraphSchema,
        model_storage: ModelStorage,
        execution_context: ExecutionContext,
        hooks: list[GraphNodeHook] | None = None,
    ) -> SequentialGraphRunner:
        """Instantiates every node of the schema as Rasa's runner does (see `GraphRunner.create`)."""
        nodes = DaskGraphRunner._instantiate_nodes(graph_schema, model_storage, execution_context, hooks)
        return cls(graph_schema, nodes, execution_context)

    @classmethod
    def replacing(cls, runner: DaskGraphRunner) -> SequentialGraphRunner:
        """The same graph, with the nodes (and loaded components) `runner` already built."""
        return cls(runner._graph_schema, runner._instantiated_nodes, runner._execution_context)

    def plan(self, targets: Iterable[str]) -> tuple[Step, ...]:
        """The nodes the targets need, each after all of its parents."""
        key = tuple(targets)
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = self._order(key)
        return plan

    def _order(self, targets: tuple[str, ...]) -> tuple[Step, ...]:
        schema = self._graph_schema.nodes
        steps: list[Step] = []
        placed: set[str] = set()
        # Depth first, parents before children, without recursion: a deep graph
        # must not hit Python's recursion limit.
        for target in targets:
            stack: list[tuple[str, bool]] = [(target, False)]
            while stack:
                name, parents_placed = stack.pop()
                if name in placed or name not in schema:
                    continue
                needs = tuple(schema[name].needs.values())
                if parents_placed:
                    placed.add(name)
                    steps.append((name, needs))
                    continue
                stack.append((name, True))
                stack.extend((parent, False) for parent in reversed(needs) if parent not in placed)
        return tuple(steps)

    def run(
        self,
        inputs: dict[str, Any] | None = None,
        targets: list[str] | None = None,
    ) -> dict[str, Any]:
        """Runs the nodes `targets` need; returns each target's output (see `GraphRunner.run`)."""
        run_targets = list(targets) if targets else self._graph_schema.target_names
        # What dask hands a node for each parent: `(name, output)`.
        results: dict[str, tuple[str, Any]] = {}
        for name, value in (inputs or {}).items():
            if isinstance(value, str) and value in self._graph_schema.nodes:
                raise GraphRunError(
                    f"Input value '{value}' clashes with a node name. Make sure "
                    f"that none of the input names passed to the `run` method are the "
                    f"same as node names in the graph schema."
                )
            results[name] = (name, value)
        try:
            for name, needs in self.plan(run_targets):
                results[name] = self._nodes[name](*(results.get(parent, parent) for parent in needs))
        except RuntimeError as error:
            raise GraphRunError("Error running runner.") from error
        outputs: dict[str, Any] = {}
        for target in run_targets:
            if target not in results:
                # Nothing produced it: neither a node of the graph nor an input.
                raise GraphRunError(f"Target '{target}' is neither a node of the graph nor an input.")
            outputs[target] = results[target][1]
        return outputs


# The classes `install` changes (tests/conftest.py puts them back after each test).
PATCHED_CLASSES: tuple[type, ...] = (MessageProcessor,)


def sequential(runner: Any) -> Any:
    """A `DaskGraphRunner` as a `SequentialGraphRunner` on the same nodes; anything else as it is."""
    if isinstance(runner, DaskGraphRunner):
        return SequentialGraphRunner.replacing(runner)
    return runner


def install() -> None:
    convert_on_assignment(MessageProcessor, "graph_runner", sequential)


def is_installed() -> bool:
    return converts(MessageProcessor, "graph_runner", sequential)
