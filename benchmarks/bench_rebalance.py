"""Rebalance budget (issue 8): 40,000-unit demo, 40 territories at +-40% -> +-5% in <= 10 s.

Builds the start plan itself (40 contiguous regions whose market potential is spread
evenly over 0.6-1.4 x the mean), runs our rebalance, then GerryChain on the same graph,
start plan and time budget: a greedy single-flip chain (accepts a flip when the worst
deviation does not grow) and ReCom (pairs of districts re-split within 5%). Prints JSON.
Only the mainland component takes part (the demo's islands cannot be contiguous with it).
"""

from __future__ import annotations

import json
import signal
import sys
import time

import numpy as np
import shapely

from terradesk.analysis.rebalance import MetricGoal, RebalanceSpec, polsby_popper, rebalance, unit_adjacency
from terradesk.analysis.rebalance.graph import components
from terradesk.analysis.rebalance.grow import grow_regions, spread_seeds
from terradesk.analysis.rebalance.optimiser import Problem, optimise
from terradesk.io.demo import generate_demo
from terradesk.model import Alignment, Territory

K, TOL, BUDGET = 40, 0.05, 10.0


class _BudgetError(Exception):
    pass


def _timeout(signum: int, frame: object) -> None:
    raise _BudgetError


def mainland(adj) -> np.ndarray:
    label = np.full(adj.n, -1)
    comp = 0
    for s in range(adj.n):
        if label[s] >= 0:
            continue
        stack = [s]
        label[s] = comp
        while stack:
            u = stack.pop()
            for v in adj.neighbours(u).tolist():
                if label[v] < 0:
                    label[v] = comp
                    stack.append(v)
        comp += 1
    return label == np.bincount(label).argmax()


def start_plan(adj, mp, main, centroid) -> np.ndarray:
    """40 contiguous regions at 0.6..1.4 x mean: grow balanced, then skew with our engine."""
    seeds = spread_seeds(centroid, mp, K, np.flatnonzero(main), 0)
    keys = grow_regions(adj, mp, seeds, np.full(K, mp[main].sum() / K), main, centroid)
    share = np.random.default_rng(0).permutation(np.linspace(0.6, 1.4, K))
    skew = Problem(adj, keys, K, mp[:, None], np.array([0.02]), np.array([1.0]), np.ones(K, bool),
                   keys < 0, np.ones(adj.n), ("market_potential",), share=share)
    return optimise(skew, time_limit=60).keys


def stats(adj, keys, mp) -> dict[str, float]:
    load = np.bincount(keys[keys >= 0], weights=mp[keys >= 0], minlength=K)
    dev = load / load.mean() - 1
    return {"max_deviation": float(np.abs(dev).max()),
            "mean_polsby_popper": float(np.nanmean(polsby_popper(adj, keys, K)))}


def gerrychain_runs(adj, start, mp, main, seconds: float) -> dict[str, object]:
    import networkx as nx
    from gerrychain import Graph, MarkovChain, Partition
    from gerrychain.constraints import contiguous, single_flip_contiguous
    from gerrychain.proposals import propose_random_flip, recom
    from gerrychain.updaters import Tally, cut_edges

    nodes = np.flatnonzero(main)
    g = nx.Graph()
    g.add_nodes_from((int(u), {"pop": float(mp[u])}) for u in nodes)
    e = adj.edges[main[adj.edges[:, 0]] & main[adj.edges[:, 1]]]
    g.add_edges_from(map(tuple, e.tolist()))
    t = time.perf_counter()
    graph = Graph.from_networkx(g)
    build = time.perf_counter() - t
    ideal = float(mp[nodes].sum()) / K
    # GerryChain 1.0 renumbers nodes internally: translate both ways
    inner = graph.internal_node_id_for_original_nx_node_id
    assign = {inner(int(u)): int(start[u]) for u in nodes}
    updaters = {"pop": Tally("pop", alias="pop"), "cut_edges": cut_edges}

    def worst(p) -> float:
        return max(abs(v / ideal - 1) for v in p["pop"].values())

    out: dict[str, object] = {"graph_build_s": build}
    for name in ("single_flip", "recom"):
        init = Partition(graph, assign, updaters)
        if name == "single_flip":
            chain = MarkovChain(propose_random_flip, [single_flip_contiguous],
                                lambda p, *, rng=None: p.parent is None or worst(p) <= worst(p.parent),
                                init, total_steps=10**9, rng=0)
        else:
            def prop(p, *, rng=None):
                return recom(p, pop_col="pop", pop_target=ideal, epsilon=TOL, node_repeats=2, rng=0)
            chain = MarkovChain(prop, [contiguous], lambda p, *, rng=None: True, init, total_steps=10**9, rng=0)
        t0 = time.perf_counter()
        steps, last, hit = 0, init, None
        signal.signal(signal.SIGALRM, _timeout)
        signal.setitimer(signal.ITIMER_REAL, seconds + 0.5)  # one proposal can retry for minutes
        try:
            for part in chain:
                steps += 1
                last = part
                if hit is None and worst(part) <= TOL:
                    hit = time.perf_counter() - t0
                    break
                if time.perf_counter() - t0 > seconds:
                    break
        except _BudgetError:
            out[f"{name}_note"] = "interrupted inside a proposal at the time budget"
        except Exception as exc:  # ReCom gives up on pairs it cannot split: report, not crash
            out[f"{name}_error"] = f"{type(exc).__name__}: {exc}"[:200]
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        keys = start.copy()
        for u, d in last.assignment.to_dict().items():
            keys[last.graph.original_nx_node_id_for_internal_node_id(u)] = d
        out[name] = {"steps": steps, "seconds": time.perf_counter() - t0, "reached_tolerance_s": hit,
                     "units_moved": int(np.count_nonzero(keys != start)), **stats(adj, keys, mp),
                     "contiguous": all(components(adj, keys, k) == 1 for k in range(K))}
    return out


def main() -> None:
    t = time.perf_counter()
    project = generate_demo(units=40000, accounts=200000, seed=0)
    gen = time.perf_counter() - t
    t = time.perf_counter()
    adj = unit_adjacency(project.units)
    adj_s = time.perf_counter() - t
    mp = np.nan_to_num(project.units.fields["market_potential"])
    main_mask = mainland(adj)
    centroid = shapely.get_coordinates(shapely.centroid(project.units.geometry))
    start = start_plan(adj, mp, main_mask, centroid)
    al = Alignment(name="Bench start")
    for i in range(K):
        al.insert_territory(Territory(name=f"B{i + 1}"))
    al.assignment = start.copy()
    project.insert_alignment(al)

    spec = RebalanceSpec(goals=[MetricGoal("market_potential", TOL)], time_limit_s=BUDGET, seed=0)
    worst_seen: list[float] = []
    t = time.perf_counter()
    result = rebalance(project, al.id, spec, progress=lambda p: worst_seen.append(p.max_deviation))
    ours_s = time.perf_counter() - t
    ours = {
        "seconds": ours_s, "engine_seconds": result.elapsed_s, "reason": result.reason,
        "max_deviation_before": result.before.max_deviation, "max_deviation_after": result.after.max_deviation,
        "units_moved": len(result.moved_units), "accounts_changing_owner": len(result.accounts_changing_owner),
        "revenue_changing_owner": result.revenue_changing_owner,
        "mean_polsby_popper_before": result.mean_polsby_popper_before,
        "mean_polsby_popper_after": result.mean_polsby_popper_after,
        "contiguous": all(components(adj, result.assignment, k) == 1 for k in range(K)),
        "progress_reports": len(worst_seen),
        "within_budget": bool(result.balanced and ours_s <= BUDGET),
    }
    report: dict[str, object] = {
        "units": len(project.units), "mainland_units": int(main_mask.sum()), "accounts": len(project.accounts),
        "territories": K, "tolerance": TOL, "demo_s": gen, "adjacency_s": adj_s, "edges": len(adj.edges),
        "start": stats(adj, start, mp), "terradesk": ours,
    }
    if "--no-gerrychain" not in sys.argv:
        report["gerrychain"] = gerrychain_runs(adj, start, mp, main_mask, BUDGET)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
