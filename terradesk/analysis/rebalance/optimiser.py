"""The rebalancing engine: boundary-unit moves driven by flows between territories.

Arrays in, keys out; no project objects here, so the GUI can run it on a worker
thread against a snapshot. Strategy, worst territory first:

1. *Flow phase.* The worst territory (largest deviation over its tolerance) sheds its
   excess to, or pulls its deficit from, the nearest territory with room, along a path
   of neighbouring territories (BFS on the territory graph). Each hop moves boundary
   units from donor to receiver, growing the receiver into the donor from their shared
   boundary (units with most boundary on the receiver first: compact; low revenue per
   unit of metric first: least disruption). Amounts stop at the tolerance band's edge
   (times ``margin``), so no more units move than balance needs.
2. *Polish phase.* Single boundary moves that lower a penalty summed over all goals,
   for what flows on one metric leave behind (several goals pulling apart).

Constraints are checked before every move and never relaxed: fixed units (locked,
pinned, locked territories) stay; a receiver always touches the unit it gets; a donor
keeps at least one unit and stays connected (local BFS between the unit's donor
neighbours inside the donor, bounded: when the bound is hit the move is refused, so
the check errs on the safe side); optional maximum distance from the receiver's home.
"""

from __future__ import annotations

import heapq
import itertools
import time
from collections import deque
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from terradesk.analysis.rebalance.graph import Adjacency
from terradesk.analysis.rebalance.spec import CancelFn, ProgressFn, ProgressInfo

IntArray = npt.NDArray[np.intp]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

_BFS_LIMIT = 400  # nodes explored by the connectivity check before refusing a move


@dataclass(eq=False)
class Problem:
    """Everything the engine needs, as arrays over units (n) and territory keys (k).

    ``active[k]`` marks territories that may give and receive (unlocked, non-empty);
    ``fixed[u]`` units that may not move; ``cost[u]`` the disruption of moving a unit
    (mean about 1); ``home`` (k, 2) receivers' home points (NaN = none) and
    ``centroid`` (n, 2) for the distance limit ``max_distance``.
    """

    adjacency: Adjacency
    keys: IntArray
    n_keys: int
    values: FloatArray
    tolerance: FloatArray
    weight: FloatArray
    active: BoolArray
    fixed: BoolArray
    cost: FloatArray
    names: tuple[str, ...] = ()
    home: FloatArray | None = None
    centroid: FloatArray | None = None
    max_distance: float | None = None
    contiguous: bool = True
    margin: float = 0.8
    share: FloatArray | None = None

    def loads(self, keys: IntArray) -> FloatArray:
        ok = keys >= 0
        out = np.zeros((self.n_keys, self.values.shape[1]))
        for g in range(self.values.shape[1]):
            out[:, g] = np.bincount(keys[ok], weights=self.values[ok, g], minlength=self.n_keys)
        return out

    def targets(self) -> FloatArray:
        """(k, goals) target loads: the active territories' total split by ``share``.

        With no ``share`` every active territory targets the mean (what balance means);
        a share (e.g. owner capacity) gives proportional targets instead.
        """
        loads = self.loads(self.keys)
        share = np.ones(self.n_keys) if self.share is None else np.asarray(self.share, dtype=np.float64)
        share = np.where(self.active, share, 0.0)
        total = share.sum()
        frac = share / total if total > 0 else share
        return np.asarray(frac[:, None] * loads[self.active].sum(axis=0)[None, :], dtype=np.float64)


@dataclass(frozen=True, eq=False)
class Outcome:
    keys: IntArray
    reason: str  # "balanced", "time_limit", "cancelled", "stuck"
    worst_ratio: float
    elapsed_s: float


class _Engine:
    def __init__(self, p: Problem, seed: int, time_limit: float, progress: ProgressFn | None,
                 cancel: CancelFn | None) -> None:
        self.p = p
        self.adj = p.adjacency
        self.nbrs = self.adj.neighbour_lists()
        self.lens = self.adj.length_lists()
        self.per = self.adj.perimeter.tolist()
        self.keys = p.keys.copy()
        self.key = self.keys.tolist()
        self.start = p.keys.copy()
        self.vals = p.values
        self.vlist = p.values.tolist()
        self.target = p.targets()
        self.tol = p.tolerance
        safe_t = np.where(self.target > 0, self.target, 1.0)
        self.scale = 1.0 / (self.tol[None, :] * safe_t)
        self.zero = self.target <= 0
        self.mean_target = self.target[p.active].mean(axis=0) if p.active.any() else np.ones(len(self.tol))
        self.loads = p.loads(self.keys)
        self.count = np.bincount(self.keys[self.keys >= 0], minlength=p.n_keys).tolist()
        self.active = p.active.tolist()
        self.fixed = p.fixed.tolist()
        rng = np.random.default_rng(seed)
        self.jitter = (rng.random(self.adj.n) * 1e-6).tolist()
        mean_cost = float(p.cost.mean()) if len(p.cost) else 1.0
        self.costn = (p.cost / (mean_cost if mean_cost > 0 else 1.0)).tolist()
        self.border = self._border_counts()
        self.t0 = time.perf_counter()
        self.deadline = self.t0 + time_limit
        self.progress = progress
        self.cancel = cancel
        self.stop_reason = ""
        self.last_report = 0.0
        self.best_keys = self.keys.copy()
        self.best_ratio = self.worst_ratio()
        self.allowed = self._distance_mask()
        self.moves = 0

    # -- bookkeeping ------------------------------------------------------------
    def _border_counts(self) -> list[list[int]]:
        k = self.p.n_keys
        border = np.zeros((k, k), dtype=np.int64)
        ka, kb = self.keys[self.adj.edges[:, 0]], self.keys[self.adj.edges[:, 1]]
        m = (ka != kb) & (ka >= 0) & (kb >= 0)
        np.add.at(border, (ka[m], kb[m]), 1)
        np.add.at(border, (kb[m], ka[m]), 1)
        return [list(map(int, row)) for row in border]

    def _distance_mask(self) -> list[list[bool]] | None:
        """Per territory, which units lie within the distance limit of its home."""
        p = self.p
        if p.max_distance is None or p.home is None or p.centroid is None:
            return None
        out: list[list[bool]] = []
        for k in range(p.n_keys):
            hx, hy = p.home[k]
            if not (np.isfinite(hx) and np.isfinite(hy)):
                out.append([])
                continue
            d = np.hypot(p.centroid[:, 0] - hx, p.centroid[:, 1] - hy)
            out.append((d <= p.max_distance).tolist())
        return out

    def ratios(self) -> FloatArray:
        """|deviation| / (tolerance * target) per territory and goal (0 for inactive)."""
        r = np.abs(self.loads - self.target) * self.scale
        r[self.zero] = 0.0
        r[~self.p.active] = 0.0
        return np.asarray(r, dtype=np.float64)

    def worst_ratio(self) -> float:
        r = self.ratios()
        return float(r.max()) if r.size else 0.0

    def moved_count(self) -> int:
        return int(np.count_nonzero(self.keys != self.start))

    def should_stop(self) -> bool:
        if self.stop_reason:
            return True
        if self.cancel is not None and self.cancel():
            self.stop_reason = "cancelled"
        elif time.perf_counter() > self.deadline:
            self.stop_reason = "time_limit"
        return bool(self.stop_reason)

    def checkpoint(self, phase: str, force: bool = False) -> None:
        """Keep the best plan so far and report progress at most ten times a second."""
        r = self.ratios()
        worst = float(r.max()) if r.size else 0.0
        if worst < self.best_ratio:
            self.best_ratio = worst
            self.best_keys = self.keys.copy()
        now = time.perf_counter()
        if self.progress is not None and (force or now - self.last_report >= 0.1):
            self.last_report = now
            dev = np.abs(self.loads / np.where(self.target > 0, self.target, 1.0) - 1)
            dev[self.zero] = 0.0
            dev[~self.p.active] = 0.0
            per_goal = {n: float(dev[:, i].max()) for i, n in enumerate(self.p.names)} if dev.size else {}
            total = max(self.deadline - self.t0, 1e-9)
            self.progress(ProgressInfo(
                phase=phase, elapsed_s=now - self.t0, max_deviation=float(dev.max()) if dev.size else 0.0,
                worst_ratio=worst, units_moved=self.moved_count(),
                fraction=min(1.0, (now - self.t0) / total), per_goal=per_goal,
            ))

    # -- constraint checks --------------------------------------------------------
    def can_leave(self, u: int, a: int) -> bool:
        """True when moving ``u`` out of ``a`` keeps ``a`` non-empty and no less connected."""
        if self.fixed[u] or self.count[a] <= 1:
            return False
        if not self.p.contiguous:
            return True
        key = self.key
        inside = [v for v in self.nbrs[u] if key[v] == a]
        if len(inside) <= 1:
            return True
        want = set(inside[1:])
        seen = {u, inside[0]}
        queue = deque([inside[0]])
        explored = 0
        nbrs = self.nbrs
        while queue:
            x = queue.popleft()
            explored += 1
            if explored > _BFS_LIMIT:
                return False
            for w in nbrs[x]:
                if w not in seen and key[w] == a:
                    if w in want:
                        want.discard(w)
                        if not want:
                            return True
                    seen.add(w)
                    queue.append(w)
        return False

    def can_join(self, u: int, b: int) -> bool:
        if not self.active[b]:
            return False
        if self.allowed is not None and self.allowed[b] and not self.allowed[b][u]:
            return False
        return any(self.key[v] == b for v in self.nbrs[u])

    def move(self, u: int, a: int, b: int) -> None:
        key = self.key
        key[u] = b
        self.keys[u] = b
        self.loads[a] -= self.vals[u]
        self.loads[b] += self.vals[u]
        self.count[a] -= 1
        self.count[b] += 1
        border = self.border
        for v in self.nbrs[u]:
            c = key[v]
            if c < 0:
                continue
            if c != a:
                border[a][c] -= 1
                border[c][a] -= 1
            if c != b:
                border[b][c] += 1
                border[c][b] += 1
        self.moves += 1

    # -- flow phase -------------------------------------------------------------------
    def share(self, u: int, b: int) -> float:
        key = self.key
        s = 0.0
        for v, ln in zip(self.nbrs[u], self.lens[u], strict=True):
            if key[v] == b:
                s += ln
        per = self.per[u]
        return s / per if per > 0 else 0.0

    def hop(self, a: int, b: int, g: int, amount: float) -> float:
        """Move boundary units of ``a`` into ``b`` worth about ``amount`` of goal ``g``."""
        e = self.adj.edges
        ka, kb = self.keys[e[:, 0]], self.keys[e[:, 1]]
        front = np.concatenate([e[(ka == a) & (kb == b), 0], e[(kb == a) & (ka == b), 1]])
        heap: list[tuple[float, int]] = []
        vl = self.vlist
        for u in np.unique(front).tolist():
            heap.append((self._priority(u, b, g), u))
        heapq.heapify(heap)
        remaining = amount
        tried: set[int] = set()
        while heap and remaining > 0:
            if self.moves % 256 == 0 and self.should_stop():
                break
            _, u = heapq.heappop(heap)
            if self.key[u] != a or u in tried:
                continue
            v = vl[u][g]
            if v > 2 * remaining or not self.can_join(u, b) or not self.can_leave(u, a):
                tried.add(u)
                continue
            self.move(u, a, b)
            remaining -= v
            for w in self.nbrs[u]:
                if self.key[w] == a:
                    tried.discard(w)
                    heapq.heappush(heap, (self._priority(w, b, g), w))
        return amount - remaining

    def _priority(self, u: int, b: int, g: int) -> float:
        v = self.vlist[u][g]
        mt = float(self.mean_target[g])
        dis = self.costn[u] / (v / mt * self.count_mean + 1e-9) if mt > 0 else 0.0
        return float(-self.share(u, b) + 0.05 * min(dis, 4.0) + self.jitter[u])

    def path_to(self, t: int, g: int, over: bool, blocked: set[tuple[int, int]]) -> list[int] | None:
        """Nearest territory with room (over) or surplus (under) in goal ``g``; BFS path from ``t``."""
        need = 0.1 * self.tol[g] * self.mean_target[g]
        prev = {t: t}
        level = [t]
        while level:
            nxt: list[int] = []
            for x in level:
                row = self.border[x]
                for y in range(self.p.n_keys):
                    if row[y] <= 0 or y in prev or not self.active[y]:
                        continue
                    edge = (x, y) if over else (y, x)
                    if edge in blocked:
                        continue
                    prev[y] = x
                    nxt.append(y)
            best, best_room = -1, need
            for y in nxt:
                room = self.target[y, g] - self.loads[y, g]
                room = room if over else -room
                if room > best_room:
                    best, best_room = y, room
            if best >= 0:
                path = [best]
                while path[-1] != t:
                    path.append(prev[path[-1]])
                return path[::-1]
            level = nxt
        return None

    def flow_phase(self) -> None:
        stuck: set[int] = set()
        blocked: set[tuple[int, int]] = set()
        m = self.p.margin
        idle, best = 0, self.worst_ratio()
        while not self.should_stop() and idle <= 2 * self.p.n_keys + 10:
            r = self.ratios()
            r[list(stuck)] = 0.0
            t, g = np.unravel_index(int(np.argmax(r)), r.shape) if r.size else (0, 0)
            t, g = int(t), int(g)
            if r.size == 0 or r[t, g] <= 1.0:
                return
            load, tgt = self.loads[t, g], self.target[t, g]
            over = load > tgt
            path = self.path_to(t, g, over, blocked)
            if path is None:
                stuck.add(t)
                continue
            s = path[-1]
            if over:
                amount = min(load - tgt * (1 + m * self.tol[g]), self.target[s, g] - self.loads[s, g])
                hops = list(itertools.pairwise(path))
            else:
                amount = min(tgt * (1 - m * self.tol[g]) - load, self.loads[s, g] - self.target[s, g])
                rev = path[::-1]
                hops = list(itertools.pairwise(rev))
            before = float(r[t, g])
            for a, b in hops:
                got = self.hop(a, b, g, amount)
                if got <= 0:
                    blocked.add((a, b))
                    break
                amount = got
            self.checkpoint("balancing")
            now = self.worst_ratio()
            idle = 0 if now < best - 1e-9 else idle + 1  # several goals can pull in circles
            best = min(best, now)
            if self.ratios()[t, g] >= before - 1e-12:
                stuck.add(t)
            else:
                stuck.clear()

    # -- polish phase ---------------------------------------------------------------
    def penalty(self, loads: FloatArray, rows: IntArray) -> FloatArray:
        """Per-row penalty: weighted squared excess beyond ``margin`` of each tolerance."""
        r = np.abs(loads - self.target[rows]) * self.scale[rows]
        r[self.zero[rows]] = 0.0
        ex = np.maximum(r - self.p.margin, 0.0)
        return np.asarray((ex**2 * self.p.weight).sum(axis=-1), dtype=np.float64)

    def polish_phase(self) -> None:
        e = self.adj.edges
        improved = True
        while improved and not self.should_stop():
            improved = False
            r = self.ratios().max(axis=1)
            if r.max(initial=0.0) <= 1.0:
                return
            for t in np.argsort(-r).tolist():
                if r[t] <= 1.0 or self.should_stop():
                    break
                ka, kb = self.keys[e[:, 0]], self.keys[e[:, 1]]
                cross = (ka != kb) & (ka >= 0) & (kb >= 0) & ((ka == t) | (kb == t))
                u = np.concatenate([e[cross, 0], e[cross, 1]])
                dst = np.concatenate([kb[cross], ka[cross]])
                src = self.keys[u]
                ok = np.array([self.active[s] and self.active[d] for s, d in zip(src, dst, strict=True)], dtype=bool)
                u, src, dst = u[ok], src[ok], dst[ok]
                if len(u) == 0:
                    continue
                v = self.vals[u]
                delta = (
                    self.penalty(self.loads[src] - v, src) + self.penalty(self.loads[dst] + v, dst)
                    - self.penalty(self.loads[src], src) - self.penalty(self.loads[dst], dst)
                    + 1e-9 * np.asarray(self.costn)[u]
                )
                for i in np.argsort(delta, kind="stable").tolist():
                    if delta[i] >= 0:
                        break
                    uu, a, b = int(u[i]), int(src[i]), int(dst[i])
                    if self.key[uu] == a and self.can_join(uu, b) and self.can_leave(uu, a):
                        self.move(uu, a, b)
                        improved = True
                        break
                self.checkpoint("polishing")

    def run(self) -> Outcome:
        self.count_mean = max(self.adj.n / max(int(self.p.active.sum()), 1), 1.0)
        self.checkpoint("balancing", force=True)
        self.flow_phase()
        if not self.stop_reason:
            self.polish_phase()
        self.checkpoint("done", force=True)
        reason = self.stop_reason or ("balanced" if self.worst_ratio() <= 1.0 else "stuck")
        now = self.worst_ratio()
        keys = self.keys if now <= 1.0 or now <= self.best_ratio else self.best_keys
        return Outcome(keys.copy(), reason, min(self.worst_ratio(), self.best_ratio),
                       time.perf_counter() - self.t0)


def optimise(problem: Problem, *, seed: int = 0, time_limit: float = 10.0,
             progress: ProgressFn | None = None, cancel: CancelFn | None = None) -> Outcome:
    """Run the engine; returns the best plan found (never worse than the start)."""
    return _Engine(problem, seed, time_limit, progress, cancel).run()
