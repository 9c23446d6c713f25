"""The SPARQL endpoint beside Oxigraph's own server and an rdflib one: latency and throughput.

Run by hand, from the repository root (needs the ``bench`` extra, for the ``oxigraph`` CLI):

    python bench/endpoint.py [--store DIR] [--runs 20] [--budget 30] [--limit 60]
                             [--duration 10]

Builds a store from the development corpus (``kg ingest``, or copies ``--store DIR``), then
serves the same data from three processes on loopback ports: strike-kg (``python
server.py``), ``oxigraph serve-read-only --union-default-graph`` on a copy of the store
directory (a read-only opening beside a read-write one is undefined behaviour), and rdflib's
SPARQL engine over a ``Dataset(default_union=True)`` loaded from ``kg dump --format nquads``,
in a waitress app this script starts as a subprocess. Every saved query (each carries its
defaults, none needs parameters) is first checked to return the same number of rows from
all three, then timed through the same HTTP client (a fresh keep-alive connection per query
and server; Oxigraph and strike-kg in alternation, request by request): warm-up runs, then
up to ``--runs`` runs within ``--budget`` seconds (at least ``--min-runs``); a request to
rdflib that passes ``--limit`` seconds ends that query's timing there. Last, 1, 4 and 16
client threads of this process (their CPU time is reported) send the saved queries
round-robin to strike-kg and to Oxigraph for ``--duration`` seconds.
Before the queries, the fixed cost of a request is timed with ``ASK {}``: Oxigraph's server,
strike-kg, and the layers strike-kg's request passes (waitress alone, Flask on waitress; a
subprocess of this script). Writes the ``endpoint`` section of ``docs/BENCHMARKS.md``. Targets:
strike-kg's median at most 1.3 times Oxigraph's, rdflib's at least 10 times strike-kg's
(geometric means).
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from importlib import metadata
from pathlib import Path
from wsgiref.types import StartResponse, WSGIEnvironment

from machine import ROOT, dev_corpus, machine, ms, percentile, revision, write_section

from kg.queries import SavedQuery, saved_queries

JSON_RESULTS = "application/sparql-results+json"
BIN = Path(sys.executable).parent
READY_SECONDS = 300.0
HTTP_TIMEOUT = 900.0
SERVERS = ("Oxigraph", "strike-kg", "rdflib")  # the order of the table's columns
PROBES = {"Oxigraph": "/query?query=ASK%7B%7D", "strike-kg": "/health", "rdflib": "/health"}
# The fixed cost of a request: the cheapest query, and the answer the reference apps give.
EMPTY_QUERY = "ASK {}"
EMPTY_ANSWER = b'{"head":{},"boolean":true}'
BARE, FLASK = "waitress, a bare WSGI app", "Flask on waitress, one route"
TARGET = 1.3  # strike-kg's latency over Oxigraph's, at most


@dataclass(frozen=True)
class Server:
    """A running endpoint: its name, its query URL's path and port, and its process."""

    name: str
    port: int
    path: str
    process: subprocess.Popen[bytes]
    log: Path
    command: list[str]
    env: dict[str, str]


@dataclass
class Timing:
    """Latencies (seconds) of one query on one server, or why it has none."""

    seconds: list[float] = field(default_factory=list)
    error: str = ""
    over: float = 0.0  # the time limit a request passed (rdflib's), if one did

    @property
    def median(self) -> float:
        return statistics.median(self.seconds) if self.seconds else math.nan


@dataclass
class Load:
    """What one throughput run saw."""

    requests: int
    errors: int
    wall: float
    client_cpu: float
    latencies: list[float]


class Client:
    """One keep-alive HTTP connection sending GET SPARQL queries, asking for JSON results."""

    def __init__(self, server: Server, timeout: float = HTTP_TIMEOUT) -> None:
        self.server = server
        self.connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)

    def get(self, query: str) -> tuple[int, bytes]:
        """Send a query; return the status and the whole body. Retries once on a closed
        connection (a keep-alive the server dropped)."""
        target = f"{self.server.path}?{urllib.parse.urlencode({'query': query})}"
        for attempt in (1, 2):
            try:
                self.connection.request("GET", target, headers={"Accept": JSON_RESULTS})
                response = self.connection.getresponse()
                return response.status, response.read()
            except (http.client.RemoteDisconnected, ConnectionError):
                self.connection.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        self.connection.close()


# -- the data ----------------------------------------------------------------------------


def kg_command(*args: str, processes: int = 2) -> None:
    """Run the ``kg`` CLI of this interpreter's environment."""
    env = {**os.environ, "KG_PROCESSES": str(processes)}
    subprocess.run([str(BIN / "kg"), *args], check=True, env=env, cwd=ROOT)


def prepare_data(work: Path, store: Path | None, processes: int) -> tuple[Path, Path, Path]:
    """The store strike-kg serves, Oxigraph's copy of it, and its N-Quads dump, in ``work``."""
    served, copy, dump = work / "kg", work / "kg-oxigraph", work / "dataset.nq"
    if store is None:
        paths = [str(path) for path in dev_corpus()]
        kg_command("--store", str(served), "ingest", *paths, processes=processes)
    else:
        shutil.copytree(store, served)  # the server publishes snapshots beside its store
    shutil.copytree(served, copy)
    kg_command("--store", str(served), "dump", "--format", "nquads", "--output", str(dump))
    return served, copy, dump


# -- the servers -------------------------------------------------------------------------


def free_port() -> int:
    """A loopback port nobody listens on (for the moment)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(name: str, command: list[str], path: str, work: Path, port: int, **env: str) -> Server:
    """Start a server in its own process group, its output in a log file in ``work``."""
    log = work / f"{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Server(name, port, path, process, log, command, env)


def restart(server: Server, probe: str) -> Server:
    """The same server started again (rdflib's, busy with a query past its time limit)."""
    stop(server)
    started = start(
        server.name, server.command, server.path, server.log.parent, server.port, **server.env
    )
    wait_ready(started, probe)
    return started


def wait_ready(server: Server, probe: str) -> None:
    """Poll ``probe`` until it answers 200; fail with the log if the server dies or stalls."""
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            break
        try:
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
            connection.request("GET", probe)
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    tail = server.log.read_text(errors="replace")[-2000:]
    raise SystemExit(f"{server.name} did not become ready on port {server.port}:\n{tail}")


def stop(server: Server) -> None:
    """End the server's process group (strike-kg's query workers with it)."""
    try:
        os.killpg(server.process.pid, signal.SIGTERM)
        server.process.wait(timeout=15)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait()


@contextmanager
def servers(store: Path, copy: Path, dump: Path, work: Path) -> Iterator[list[Server]]:
    """Oxigraph, strike-kg and rdflib serving the same data, ready; stopped on exit."""
    ports = [free_port() for _ in range(3)]
    oxigraph = shutil.which("oxigraph", path=str(BIN)) or shutil.which("oxigraph") or "oxigraph"
    union, bind = ["--union-default-graph"], f"127.0.0.1:{ports[0]}"
    started = [
        start(
            "Oxigraph",
            [oxigraph, "serve-read-only", "--location", str(copy), *union, "--bind", bind],
            "/query",
            work,
            ports[0],
        ),
        start(
            "strike-kg",
            [sys.executable, "server.py"],
            "/sparql",
            work,
            ports[1],
            KG_STORE=str(store),
            KG_HOST="127.0.0.1",
            KG_PORT=str(ports[1]),
        ),
        start(
            "rdflib",
            [sys.executable, __file__, "--serve-rdflib", str(dump), "--port", str(ports[2])],
            "/sparql",
            work,
            ports[2],
        ),
    ]
    try:
        for server in started:
            wait_ready(server, PROBES.get(server.name, "/health"))
        yield started
    finally:
        for server in started:
            stop(server)


def serve_rdflib(dump: Path, port: int) -> None:
    """Serve rdflib's SPARQL engine over the N-Quads dump at ``/sparql`` (GET, JSON)."""
    import rdflib
    import waitress

    dataset = rdflib.Dataset(default_union=True)
    dataset.parse(dump, format="nquads")

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        status, body, media = "200 OK", b'{"status": "ok"}', "application/json"
        if environ.get("PATH_INFO") == "/sparql":
            query = urllib.parse.parse_qs(environ.get("QUERY_STRING", "")).get("query", [""])[0]
            try:
                body, media = dataset.query(query).serialize(format="json") or b"", JSON_RESULTS
            except Exception as error:  # the engine's own failure is the answer
                status, body, media = (
                    "500 Internal Server Error",
                    repr(error).encode(),
                    "text/plain",
                )
        elif environ.get("PATH_INFO") != "/health":
            status, body = "404 Not Found", b"{}"
        start_response(status, [("Content-Type", media), ("Content-Length", str(len(body)))])
        return [body]

    waitress.serve(app, host="127.0.0.1", port=port, threads=1, ident="rdflib-bench")


@contextmanager
def reference_server(work: Path) -> Iterator[list[Server]]:
    """The layers of strike-kg's request without strike-kg: a bare WSGI app and a one-route
    Flask app, on waitress with strike-kg's number of threads, answering ``EMPTY_ANSWER``."""
    port = free_port()
    server = start(
        "reference",
        [sys.executable, __file__, "--serve-reference", "--port", str(port)],
        "/wsgi",
        work,
        port,
    )
    try:
        wait_ready(server, "/wsgi")
        yield [
            replace(server, name=BARE),
            replace(server, name=FLASK, path="/flask"),
        ]
    finally:
        stop(server)


def serve_reference(port: int) -> None:
    """Serve ``/wsgi`` (a bare WSGI app) and ``/flask`` (a Flask app) on waitress."""
    import waitress
    from flask import Flask, Response

    from kg.config import Settings

    flask_app = Flask(__name__)

    @flask_app.get("/flask")
    def answer() -> Response:
        return Response(EMPTY_ANSWER, content_type=JSON_RESULTS)

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/flask":
            return flask_app(environ, start_response)
        headers = [("Content-Type", JSON_RESULTS), ("Content-Length", str(len(EMPTY_ANSWER)))]
        start_response("200 OK", headers)
        return [EMPTY_ANSWER]

    waitress.serve(app, host="127.0.0.1", port=port, threads=Settings().threads, _quiet=True)


# -- latency -----------------------------------------------------------------------------


def row_count(client: Client, query: str) -> tuple[int | None, str]:
    """Result rows of a query, or ``None`` and what went wrong."""
    status, body = client.get(query)
    if status != 200:
        return None, f"HTTP {status}: {body[:160].decode(errors='replace')}"
    return len(json.loads(body)["results"]["bindings"]), ""


def time_query(
    clients: list[Client], query: str, args: argparse.Namespace, spent: float
) -> dict[str, Timing]:
    """Warm up while a quarter of the budget lasts (``spent`` already gone: the row counts),
    then time runs until ``--runs`` or the budget (both per server).

    Several servers are timed in alternation, request by request, each going first in every
    other round: a slow spell of the machine then falls on all of them, not on one server's
    runs of a query."""
    timings = {client.server.name: Timing() for client in clients}
    budget = args.budget * len(clients)
    began = time.perf_counter() - spent
    for _ in range(args.warmup):
        if time.perf_counter() - began > budget / 4:
            break
        for client in clients:
            client.get(query)
    active, began, run = list(clients), time.perf_counter(), 0
    while (
        active and run < args.runs and (run < args.min_runs or time.perf_counter() - began < budget)
    ):
        # A copy: a server that fails leaves ``active`` without skipping the next one.
        for client in list(active) if run % 2 == 0 else active[::-1]:
            timing = timings[client.server.name]
            start_time = time.perf_counter()
            status, body = client.get(query)
            if status != 200:
                timing.error = f"HTTP {status}: {body[:160].decode(errors='replace')}"
                active.remove(client)
                continue
            timing.seconds.append(time.perf_counter() - start_time)
        run += 1
    return timings


@dataclass
class Compared:
    """One saved query on every server: row counts (``None``: an error) and timings."""

    name: str
    rows: dict[str, int | None]
    timings: dict[str, Timing]

    def ratio(self, numerator: str, denominator: str) -> float:
        """Median over median; a timing stopped at its limit counts at the limit (so the
        ratio is a lower bound, see ``bounded``)."""
        top, bottom = self.timings[numerator], self.timings[denominator].median
        value = top.over or top.median
        return value / bottom if value > 0 and bottom > 0 else math.nan

    def bounded(self) -> bool:
        """Whether a timing was stopped at the time limit."""
        return any(timing.over for timing in self.timings.values())

    def mismatch(self) -> str:
        """How the servers that answered disagree on the row count, or ``""``."""
        answered = {server: n for server, n in self.rows.items() if n is not None}
        if len(set(answered.values())) <= 1:
            return ""
        counts = ", ".join(f"{server} {n}" for server, n in answered.items())
        return f"`{self.name}` ({counts})"

    def failures(self) -> list[str]:
        """Each server's error on this query."""
        return [
            f"{server} on `{self.name}` ({self.timings[server].error})"
            for server, n in self.rows.items()
            if n is None
        ]


def compare(query: SavedQuery, running: list[Server], args: argparse.Namespace) -> Compared:
    """Count the rows each server returns (the first warm-up), then time those that answer:
    Oxigraph and strike-kg in alternation (``time_query``), rdflib after them, alone.

    Each query gets fresh connections: Oxigraph's server answers a request on a keep-alive
    connection left idle for a minute (while rdflib was timed) with a spurious 500. A request
    to rdflib that passes ``--limit`` ends its timing, and rdflib is started again (its one
    thread would go on with the query).
    """
    rows: dict[str, int | None] = {}
    timings: dict[str, Timing] = {}
    paired = [Client(server) for server in running if server.name != "rdflib"]
    try:
        began, answering = time.perf_counter(), []
        for client in paired:
            rows[client.server.name], error = row_count(client, query.text)
            if error:
                timings[client.server.name] = Timing(error=error)
            else:
                answering.append(client)
        timings.update(time_query(answering, query.text, args, time.perf_counter() - began))
    finally:
        for client in paired:
            client.close()
    for index, server in enumerate(running):
        if server.name == "rdflib":
            rows[server.name], timings[server.name] = time_alone(query, server, args)
            if timings[server.name].over:
                running[index] = restart(server, PROBES[server.name])
    return Compared(query.name, rows, timings)


def time_alone(
    query: SavedQuery, server: Server, args: argparse.Namespace
) -> tuple[int | None, Timing]:
    """The rows and timing of one server whose requests may pass ``--limit``."""
    client = Client(server, args.limit)
    try:
        began = time.perf_counter()
        rows, error = row_count(client, query.text)
        if error:
            return rows, Timing(error=error)
        return rows, time_query([client], query.text, args, time.perf_counter() - began)[
            server.name
        ]
    except TimeoutError:
        return None, Timing(error=f"over the {args.limit:g} s limit", over=args.limit)
    finally:
        client.close()


def geometric_mean(values: list[float]) -> float:
    return statistics.geometric_mean(values) if values else math.nan


# -- the fixed cost of a request ---------------------------------------------------------


def fixed_cost(targets: list[Server], args: argparse.Namespace) -> dict[str, list[float]]:
    """Latencies of ``EMPTY_QUERY`` on each target: warm-up runs, then ``--fixed-runs`` in
    ``--fixed-rounds`` rounds that take the targets in turn, so that a slow spell of the
    machine falls on all of them."""
    seconds: dict[str, list[float]] = {target.name: [] for target in targets}
    clients = [Client(target) for target in targets]
    try:
        for client in clients:
            for _ in range(args.warmup):
                client.get(EMPTY_QUERY)
        for _ in range(args.fixed_rounds):
            for client in clients:
                for _ in range(args.fixed_runs // args.fixed_rounds):
                    began = time.perf_counter()
                    status, _ = client.get(EMPTY_QUERY)
                    if status != 200:
                        raise SystemExit(f"{client.server.name}: HTTP {status} to {EMPTY_QUERY}")
                    seconds[client.server.name].append(time.perf_counter() - began)
    finally:
        for client in clients:
            client.close()
    return seconds


# -- throughput --------------------------------------------------------------------------


def load(server: Server, queries: list[str], clients: int, duration: float) -> Load:
    """``clients`` threads, each with its own connection, sending the queries round-robin
    (each from its own starting point) until ``duration`` seconds have passed."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + duration

    def worker(offset: int) -> None:
        client = Client(server)
        index = offset
        try:
            while time.perf_counter() < deadline:
                start_time = time.perf_counter()
                try:
                    ok = client.get(queries[index % len(queries)])[0] == 200
                except (OSError, http.client.HTTPException):
                    ok = False
                elapsed = time.perf_counter() - start_time
                with lock:
                    if ok:
                        latencies.append(elapsed)
                    else:
                        errors[0] += 1
                index += 1
        finally:
            client.close()

    threads = [threading.Thread(target=worker, args=(i * 5,)) for i in range(clients)]
    cpu, began = time.process_time(), time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    return Load(len(latencies), errors[0], wall, (time.process_time() - cpu) / wall, latencies)


# -- the report --------------------------------------------------------------------------


def cell(timing: Timing, runs: int) -> str:
    if timing.over:
        return f"> {ms(timing.over)}"
    if not timing.seconds:
        return "error"
    text = f"{ms(timing.median)} / {ms(percentile(timing.seconds, 0.95))}"
    return text if len(timing.seconds) >= runs else f"{text} ({len(timing.seconds)} runs)"


def cpu_busy(seconds: float) -> float:
    """The share of all cores that was busy over the next ``seconds`` (Linux ``/proc/stat``)."""

    def sample() -> tuple[int, int]:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        return sum(fields), fields[3] + fields[4]  # total, idle + iowait

    try:
        total, idle = sample()
        time.sleep(seconds)
        total_after, idle_after = sample()
    except (OSError, ValueError, IndexError):
        return math.nan
    return 1 - (idle_after - idle) / max(1, total_after - total)


def latency_row(compared: Compared, runs: int) -> str:
    counts = sorted({str(n) if n is not None else "error" for n in compared.rows.values()})
    cells = [cell(compared.timings[server], runs) for server in SERVERS]
    ratios = (compared.ratio("strike-kg", "Oxigraph"), compared.ratio("rdflib", "strike-kg"))
    shown = ["–" if math.isnan(r) else f"{r:.2f}" if r < 10 else f"{r:,.0f}" for r in ratios]
    if compared.bounded():
        shown[1] = f"> {shown[1]}"
    return f"| `{compared.name}` | {' / '.join(counts)} | " + " | ".join(cells + shown) + " |"


def load_row(server: str, clients: int, run: Load) -> str:
    return (
        f"| {server} | {clients} | {run.requests / run.wall:,.1f} | {run.errors} | "
        f"{ms(percentile(run.latencies, 0.5))} | {ms(percentile(run.latencies, 0.99))} | "
        f"{run.client_cpu:.0%} |"
    )


def verdict(ratios: list[float], target: str) -> str:
    """Median and geometric mean of the ratios, and whether the mean meets ``target``."""
    if not ratios:
        return "no query measured on both"
    mean = geometric_mean(ratios)
    bound = float(target[1:].strip())
    met = mean <= bound if target.startswith("≤") else mean >= bound
    shown = f"{mean:.2f}" if round(mean, 2) != bound else f"{mean:.3f}"
    return (
        f"median of the per-query ratios {statistics.median(ratios):.2f}, geometric mean "
        f"**{shown}×** (target {target}×: {'met' if met else 'not met'})"
    )


def fixed_cost_lines(
    args: argparse.Namespace, costs: dict[str, list[float]], compared: list[Compared]
) -> list[str]:
    """The fixed-cost table, what it means for the latency target, and one pass's ratio."""
    median = {name: statistics.median(seconds) for name, seconds in costs.items()}
    gap = median["strike-kg"] - median["Oxigraph"]
    least = gap / (TARGET - 1)
    both = [c for c in compared if not math.isnan(c.ratio("strike-kg", "Oxigraph"))]
    below = [f"`{c.name}`" for c in both if c.timings["Oxigraph"].median < least]
    passes = {name: sum(c.timings[name].median for c in both) for name in ("Oxigraph", "strike-kg")}
    return [
        f"Fixed cost of a request: `{EMPTY_QUERY}`, {args.warmup} warm-up runs then "
        f"{args.fixed_runs} runs on each server, in {args.fixed_rounds} rounds that take the "
        "servers in turn (one keep-alive connection each). Beside Oxigraph and strike-kg, the "
        "layers a request to strike-kg passes, without strike-kg: a bare WSGI app on waitress "
        "and a one-route Flask app on waitress, with strike-kg's number of threads, giving the "
        "same answer. Milliseconds.",
        "",
        "| server | median | p95 |",
        "|---|---:|---:|",
        *[
            f"| {name} | {ms(median[name])} | {ms(percentile(seconds, 0.95))} |"
            for name, seconds in costs.items()
        ],
        "",
        f"- strike-kg's request costs {ms(gap)} ms more than Oxigraph's. Of its "
        f"{ms(median['strike-kg'])} ms, waitress with a bare app takes {ms(median[BARE])}, "
        f"Flask {ms(median[FLASK] - median[BARE])} more; the remaining "
        f"{ms(median['strike-kg'] - median[FLASK])} is strike-kg's own: reading the protocol "
        "request, negotiating the format, metrics, and the hand-off to a query worker process "
        "and back.",
        f"- At that cost, a query meets the {TARGET:g}× target only where Oxigraph takes at "
        f"least {ms(least)} ms to answer it; of the {len(both)} saved queries both servers "
        f"answer, {len(below)} take less{' (' + ', '.join(below) + ')' if below else ''}.",
        f"- One pass over those {len(both)} queries (the sum of their medians): Oxigraph "
        f"{ms(passes['Oxigraph'])} ms, strike-kg {ms(passes['strike-kg'])} ms, "
        f"**{passes['strike-kg'] / passes['Oxigraph']:.2f}×**.",
    ]


def command_line(args: argparse.Namespace) -> str:
    options = [
        f"--runs {args.runs} --min-runs {args.min_runs} --warmup {args.warmup}",
        f"--budget {args.budget:g} --limit {args.limit:g} --duration {args.duration:g} "
        f"--clients {args.clients} --fixed-runs {args.fixed_runs} "
        f"--fixed-rounds {args.fixed_rounds}",
    ]
    if args.store is not None:
        options.append("--store DIR")
    options += [f"--query {name}" for name in args.query or []]
    return "python bench/endpoint.py " + " ".join(options)


def report(
    args: argparse.Namespace,
    quads: int,
    compared: list[Compared],
    loads: list[str],
    costs: dict[str, list[float]],
    busy: float,
) -> str:
    """The ``endpoint`` section of ``docs/BENCHMARKS.md``."""
    versions = ", ".join(f"{p} {metadata.version(p)}" for p in ("oxigraph", "rdflib", "waitress"))
    sk_ox = [r for c in compared if not math.isnan(r := c.ratio("strike-kg", "Oxigraph"))]
    rdf_sk = [r for c in compared if not math.isnan(r := c.ratio("rdflib", "strike-kg"))]
    mismatches = [m for c in compared if (m := c.mismatch())]
    failures = [f for c in compared for f in c.failures()]
    source = "a copy of `--store DIR`" if args.store else "the development corpus (`kg ingest`)"
    return "\n".join(
        [
            "## SPARQL endpoint",
            "",
            f"Machine: {machine()}; commit {revision()}; {versions}. Before the timing, with "
            f"the servers idle, other work kept {busy:.0%} of the CPU busy.",
            "",
            f"`{command_line(args)}`: one store of {quads:,} quads built from {source}, served "
            "on loopback by three processes: strike-kg (`python server.py`, default settings), "
            "`oxigraph serve-read-only --union-default-graph` on a copy of the store directory "
            "(strike-kg opens the store for writing when it starts, and a read-only opening "
            "beside a writer is undefined behaviour), and rdflib's SPARQL engine over "
            "`Dataset(default_union=True)` loaded from `kg dump --format nquads` (a one-thread "
            "waitress app in the script). All three take the union of the graphs as the "
            "default graph. The same client (`http.client`, GET, JSON results, a fresh "
            "keep-alive connection for each query and server) times every saved query: the "
            "row-count check and up to "
            f"{args.warmup} warm-up runs (within a quarter of the budget), then {args.runs} "
            f"runs, or fewer (at least {args.min_runs}) where they pass {args.budget:g} s. "
            "Oxigraph and strike-kg are timed in alternation, request by request, each going "
            "first in every other round, so that a slow spell of the machine falls on both; "
            "rdflib after them. "
            f"A request to rdflib that takes over {args.limit:g} s ends that query's timing "
            "(rdflib is started again): it counts at the limit, so its ratio is a lower "
            "bound, and so is the mean of the ratios when one is. Milliseconds, median / p95.",
            "",
            "| query | rows | Oxigraph | strike-kg | rdflib | strike-kg / Oxigraph "
            "| rdflib / strike-kg |",
            "|---|---:|---:|---:|---:|---:|---:|",
            *[latency_row(c, args.runs) for c in compared],
            "",
            f"- strike-kg / Oxigraph: {verdict(sk_ox, f'≤ {TARGET:g}')}.",
            f"- rdflib / strike-kg: {verdict(rdf_sk, '≥ 10')}.",
            "- Row counts: "
            + (
                "the servers that answer a query agree on its number of rows."
                if not mismatches
                else "the servers disagree on " + "; ".join(mismatches) + "."
            ),
            "- Errors: " + ("; ".join(failures) if failures else "none") + ".",
            "",
            *fixed_cost_lines(args, costs, compared),
            "",
            f"Throughput: {args.clients.replace(',', ', ')} client threads in the benchmark's "
            "process, each with its own keep-alive connection, send the saved queries that "
            "strike-kg and Oxigraph both answer, round-robin (from different "
            f"starting points) for {args.duration:g} s; latencies in milliseconds. Client CPU "
            "is the benchmark process's CPU time over the wall time (100% = one core): it "
            "shares the machine's cores with the server.",
            "",
            "| server | clients | requests/s | errors | p50 | p99 | client CPU |",
            "|---|---:|---:|---:|---:|---:|---:|",
            *loads,
        ]
    )


def measure(
    running: list[Server], queries: list[SavedQuery], args: argparse.Namespace
) -> tuple[list[Compared], list[str]]:
    """Compare every query on every server, then load strike-kg and Oxigraph."""
    compared = []
    for query in queries:
        compared.append(compare(query, running, args))
        print(latency_row(compared[-1], args.runs), flush=True)
    mix = [
        q.text
        for q, c in zip(queries, compared, strict=True)
        if None not in (c.rows["strike-kg"], c.rows["Oxigraph"])
    ]
    loads = []
    for server in running:
        if server.name == "rdflib":
            continue
        for count in (int(c) for c in args.clients.split(",")):
            loads.append(load_row(server.name, count, load(server, mix, count, args.duration)))
            print(loads[-1], flush=True)
    return compared, loads


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="an existing store (copied); default: build")
    parser.add_argument("--processes", type=int, default=2, help="ingest workers")
    parser.add_argument("--runs", type=int, default=20, help="timed runs per query and server")
    parser.add_argument("--min-runs", type=int, default=3, help="timed runs even past the budget")
    parser.add_argument(
        "--warmup",
        type=int,
        default=10,
        help="untimed runs first (each of strike-kg's 4 query workers warms up on its own)",
    )
    parser.add_argument("--budget", type=float, default=30.0, help="seconds per query and server")
    parser.add_argument(
        "--limit", type=float, default=60.0, help="seconds one request to rdflib may take"
    )
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per load run")
    parser.add_argument("--clients", default="1,4,16", help="concurrent clients of the load runs")
    parser.add_argument("--query", action="append", help="only this saved query (repeatable)")
    parser.add_argument(
        "--fixed-runs", type=int, default=2000, help="timed runs of the fixed cost per server"
    )
    parser.add_argument(
        "--fixed-rounds", type=int, default=5, help="rounds the fixed-cost runs are taken in"
    )
    parser.add_argument("--serve-reference", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--serve-rdflib", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_rdflib is not None:
        serve_rdflib(args.serve_rdflib, args.port)
        return
    if args.serve_reference:
        serve_reference(args.port)
        return
    queries = [q for q in saved_queries() if not args.query or q.name in args.query]
    with tempfile.TemporaryDirectory(prefix="kg-bench-") as tmp:
        work = Path(tmp)
        store, copy, dump = prepare_data(work, args.store, args.processes)
        with dump.open("rb") as lines:
            quads = sum(1 for _ in lines)
        with servers(store, copy, dump, work) as running, reference_server(work) as layers:
            busy = cpu_busy(5.0)
            named = {server.name: server for server in running}
            costs = fixed_cost([named["Oxigraph"], *layers, named["strike-kg"]], args)
            compared, loads = measure(running, queries, args)
    body = report(args, quads, compared, loads, costs, busy)
    write_section("endpoint", body)
    print(body)


if __name__ == "__main__":
    main()
