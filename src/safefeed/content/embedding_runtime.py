"""What runs the exported embedding graph: OpenVINO in bfloat16 where the CPU has bf16 units, else ONNX Runtime.

Both read the same cached ONNX graph. On CPUs with bf16 matrix units (Intel
AMX or AVX512-BF16) OpenVINO runs it in bfloat16 at about three times ONNX
Runtime's float32 speed, with vectors that keep a cosine of 0.9999 with
float32 (tests/content/test_embedding.py, bench/embedding.py); it runs one
single-threaded stream per thread, each on its own batch, which keeps small
caption batches from leaving a core idle. Elsewhere ONNX Runtime in float32
is the faster of the two.

`SAFEFEED_EMBED_RUNTIME` chooses: `auto` (the default, as above),
`openvino` or `onnxruntime`.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from safefeed.content import onnx_export

RUNTIMES = ("auto", "openvino", "onnxruntime")
Rows = npt.NDArray[np.int64]
Feeds = Mapping[str, npt.NDArray[np.int64]]


class GraphUnreadable(RuntimeError):
    """The runtime could not load the graph file (partial, corrupt or not a graph)."""


class Runner(Protocol):
    name: str
    width_multiple: int  # batches are padded to a multiple of this many tokens (repeated shapes reuse plans)

    def infer(self, batches: Iterable[tuple[Rows, Feeds]], out: npt.NDArray[np.float32]) -> None:
        """Write each batch's vectors into `out` at its rows."""


class OnnxRuntime:
    """ONNX Runtime, float32, one batch at a time on an explicit thread pool that sleeps when idle."""

    name = "onnxruntime-fp32"
    width_multiple = 1

    def __init__(self, graph: Path, threads: int) -> None:
        import onnxruntime
        import onnxruntime.capi.onnxruntime_pybind11_state as ort_errors

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        # Idle pool threads sleep instead of spinning: a spinning thread takes a core another process needs.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        try:
            self.session = onnxruntime.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])
        except (ort_errors.Fail, ort_errors.InvalidProtobuf, ort_errors.InvalidGraph, ort_errors.InvalidArgument) as e:
            raise GraphUnreadable(str(e)) from e

    def infer(self, batches: Iterable[tuple[Rows, Feeds]], out: npt.NDArray[np.float32]) -> None:
        for rows, feeds in batches:
            out[rows] = self.session.run([onnx_export.OUTPUT], dict(feeds))[0]


class OpenVino:
    """OpenVINO in bfloat16: `threads` streams of one thread each, fed batches asynchronously."""

    name = "openvino-bf16"
    width_multiple = 8

    def __init__(self, graph: Path, threads: int) -> None:
        import openvino

        config: dict[str, Any] = {
            "INFERENCE_PRECISION_HINT": "bf16",
            "INFERENCE_NUM_THREADS": threads,
            "NUM_STREAMS": threads,
            "PERFORMANCE_HINT": "THROUGHPUT",
            "ENABLE_CPU_PINNING": False,  # another process may need the same cores
        }
        try:
            compiled = openvino.Core().compile_model(str(graph), "CPU", config)
        except RuntimeError as e:
            raise GraphUnreadable(str(e)) from e
        self._queue = openvino.AsyncInferQueue(compiled, threads)
        self._lock = threading.Lock()  # one caller at a time owns the queue (and with it every stream)

    def infer(self, batches: Iterable[tuple[Rows, Feeds]], out: npt.NDArray[np.float32]) -> None:
        def done(request: Any, rows: Rows) -> None:
            out[rows] = request.get_output_tensor(0).data

        with self._lock:
            self._queue.set_callback(done)
            for rows, feeds in batches:
                self._queue.start_async(dict(feeds), rows)
            self._queue.wait_all()


def configured() -> str:
    """`SAFEFEED_EMBED_RUNTIME`, checked."""
    setting = os.environ.get("SAFEFEED_EMBED_RUNTIME", "auto").strip() or "auto"
    if setting not in RUNTIMES:
        raise ValueError(f"SAFEFEED_EMBED_RUNTIME must be one of {', '.join(RUNTIMES)}, not {setting!r}")
    return setting


def has_bf16_units() -> bool:
    """Whether OpenVINO is installed and finds bfloat16 units on this CPU."""
    try:
        import openvino
    except ImportError:
        return False
    return "BF16" in openvino.Core().get_property("CPU", "OPTIMIZATION_CAPABILITIES")


def start(graph: Path, threads: int, runtime: str | None = None) -> Runner:
    """The runner for `graph`: `runtime` if given, else the setting; `auto` picks by the CPU."""
    runtime = runtime or configured()
    assert runtime in RUNTIMES, f"unknown embedding runtime {runtime!r}"
    if runtime == "auto":
        runtime = "openvino" if has_bf16_units() else "onnxruntime"
    return OpenVino(graph, threads) if runtime == "openvino" else OnnxRuntime(graph, threads)
