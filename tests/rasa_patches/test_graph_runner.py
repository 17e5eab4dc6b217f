"""SequentialGraphRunner gives what Rasa's DaskGraphRunner gives, on small graphs built here.

tests/nlu/test_graph_runner_model.py compares the two on the trained model.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rasa.engine.exceptions import GraphComponentException, GraphRunError
from rasa.engine.graph import ExecutionContext, GraphComponent, GraphSchema, SchemaNode
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.engine.runner.interface import GraphRunner
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage

from rasa_patches.graph_runner import SequentialGraphRunner

CALLS: list[str] = []


class Constant(GraphComponent):
    def __init__(self, value: Any) -> None:
        self.value = value

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> Constant:
        return cls(config["value"])

    def provide(self) -> Any:
        CALLS.append(f"provide {self.value}")
        return self.value


class Add(GraphComponent):
    def __init__(self, name: str) -> None:
        self.name = name

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> Add:
        return cls(str(execution_context.node_name))

    def add(self, **numbers: int) -> int:
        CALLS.append(self.name)
        if any(n < 0 for n in numbers.values()):
            raise ValueError("no negative numbers")
        return sum(numbers.values())


def constant(value: Any) -> SchemaNode:
    return SchemaNode(
        needs={}, uses=Constant, constructor_name="create", fn="provide", config={"value": value}
    )


def add(**needs: str) -> SchemaNode:
    return SchemaNode(needs=needs, uses=Add, constructor_name="create", fn="add", config={}, eager=True)


# A diamond with an input: five and input feed `left` and `right`, both feed `total`;
# `unused` is not an ancestor of `total`.
DIAMOND = GraphSchema(
    {
        "five": constant(5),
        "left": add(a="five", b="__number__"),
        "right": add(a="five", b="left"),
        "total": add(a="left", b="right"),
        "unused": add(a="five"),
    }
)


def runners(schema: GraphSchema, tmp_path: Path) -> list[GraphRunner]:
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(schema, "test-model")
    return [
        DaskGraphRunner.create(schema, storage, context),
        SequentialGraphRunner.create(schema, storage, context),
    ]


def run_each(
    schema: GraphSchema, tmp_path: Path, inputs: dict[str, Any] | None, targets: list[str] | None
) -> list[tuple[Any, list[str]]]:
    """Each runner's result (or exception type) and the nodes it ran, in order."""
    outcomes: list[tuple[Any, list[str]]] = []
    for runner in runners(schema, tmp_path):
        CALLS.clear()
        try:
            result: Any = runner.run(inputs, targets)
        except Exception as error:
            result = type(error)
        outcomes.append((result, list(CALLS)))
    return outcomes


def test_same_outputs_and_each_needed_node_runs_once(tmp_path: Path) -> None:
    dask, sequential = run_each(DIAMOND, tmp_path, {"__number__": 2}, ["total", "left"])
    assert sequential[0] == dask[0] == {"total": 19, "left": 7}
    assert sorted(sequential[1]) == sorted(dask[1]) == ["left", "provide 5", "right", "total"]
    assert sequential[1].index("left") < sequential[1].index("right") < sequential[1].index("total")


def test_without_targets_the_schema_targets_run(tmp_path: Path) -> None:
    twice = add(a="five", b="five")
    twice.is_target = True
    schema = GraphSchema({"five": constant(5), "twice": twice})
    dask, sequential = run_each(schema, tmp_path, None, None)
    assert sequential[0] == dask[0] == {"twice": 10}


def test_an_input_can_be_a_target(tmp_path: Path) -> None:
    dask, sequential = run_each(DIAMOND, tmp_path, {"__number__": 2}, ["__number__"])
    assert sequential == dask == ({"__number__": 2}, [])


def test_a_missing_input_is_the_same_error(tmp_path: Path) -> None:
    dask, sequential = run_each(DIAMOND, tmp_path, None, ["total"])
    assert sequential[0] is dask[0] is GraphRunError


def test_an_input_naming_a_node_is_refused(tmp_path: Path) -> None:
    dask, sequential = run_each(DIAMOND, tmp_path, {"__number__": "left"}, ["total"])
    assert sequential[0] is dask[0] is GraphRunError


def test_a_failing_component_raises_rasas_error(tmp_path: Path) -> None:
    dask, sequential = run_each(DIAMOND, tmp_path, {"__number__": -1}, ["total"])
    assert sequential[0] is dask[0] is GraphComponentException


def test_an_unknown_target_is_an_error(tmp_path: Path) -> None:
    (runner,) = runners(DIAMOND, tmp_path)[1:]
    with pytest.raises(GraphRunError):
        runner.run({"__number__": 2}, ["no_such_node"])


def test_the_plan_is_worked_out_once_per_target_list(tmp_path: Path) -> None:
    runner = SequentialGraphRunner.create(DIAMOND, LocalModelStorage(tmp_path), ExecutionContext(DIAMOND))
    first = runner.plan(["total"])
    assert runner.plan(["total"]) is first
    assert [name for name, _ in first] == ["five", "left", "right", "total"]


def test_a_long_chain_needs_no_recursion(tmp_path: Path) -> None:
    length = 5000
    nodes = {"n0": constant(1)} | {f"n{i}": add(a=f"n{i - 1}") for i in range(1, length)}
    schema = GraphSchema(nodes)
    runner = SequentialGraphRunner.create(schema, LocalModelStorage(tmp_path), ExecutionContext(schema))
    assert runner.run(None, [f"n{length - 1}"]) == {f"n{length - 1}": 1}


def test_replacing_reuses_the_dask_runners_nodes(tmp_path: Path) -> None:
    dask = DaskGraphRunner.create(DIAMOND, LocalModelStorage(tmp_path), ExecutionContext(DIAMOND))
    sequential = SequentialGraphRunner.replacing(dask)
    assert sequential._nodes is dask._instantiated_nodes
    assert sequential.run({"__number__": 2}, ["total"]) == dask.run({"__number__": 2}, ["total"])
