"""Employees (EMP feed) and the pools used to pick an account's marketer.

Every employee sits on a lowest-level institution: a sub-branch without teams,
a team, a corporate department or a management department. Presidents lead
sub-branches (on the "综合团队" of a sub-branch that has teams), account
managers (CM) do the selling. Day by day a few CMs transfer, some people leave
(they stay in the snapshot with status L) and new people are hired.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .dates import NO_DATE, Day, date_strs
from .names import person_names
from .orgs import OrgTree
from .sizing import Scale
from .table import concat, select, size

POSTS = ("CM", "PRES", "VPRES", "TELLER", "STAFF")
CM, PRES, VPRES, TELLER, STAFF = range(5)
ACTIVE, LEFT = 0, 1
UNKNOWN = -2  # marker for a marketer id that is not in the EMP feed


def emp_ids(idx: np.ndarray) -> list[str]:
    return [f"E{i + 1:05d}" for i in np.asarray(idx).tolist()]


def unknown_ids(rng: np.random.Generator, n: int) -> list[str]:
    """Ids that look like employees but are in no EMP snapshot (E9xxxx, beyond any head count)."""
    return [f"E9{v:04d}" for v in rng.integers(0, 10_000, n).tolist()]


@dataclass
class StaffRows:
    org: np.ndarray  # int32 index into OrgTree.orgs
    post: np.ndarray  # int8 index into POSTS
    status: np.ndarray  # int8 ACTIVE / LEFT
    hire: np.ndarray  # int32 day number
    leave: np.ndarray  # int32 day number or NO_DATE
    name: np.ndarray  # object


class _Pool:
    """Members grouped by outlet (CSR layout) for vectorised random picks."""

    def __init__(self, members: np.ndarray, outlet: np.ndarray, n_orgs: int) -> None:
        order = np.argsort(outlet, kind="stable")
        self.members = members[order]
        self.count = np.bincount(outlet, minlength=n_orgs)
        self.start = np.concatenate([[0], np.cumsum(self.count)[:-1]])

    def pick(self, rng: np.random.Generator, outlets: np.ndarray) -> np.ndarray:
        """One random member of each given outlet, -1 where the outlet has none."""
        outlets = np.asarray(outlets, dtype=np.int64)
        c = self.count[outlets]
        j = self.start[outlets] + np.floor(rng.random(len(outlets)) * np.maximum(c, 1)).astype(np.int64)
        found = c > 0
        out = np.full(len(outlets), -1, dtype=np.int64)
        out[found] = self.members[j[found]]
        return out


class Staff:
    def __init__(self, rows: StaffRows, tree: OrgTree) -> None:
        self.rows = rows
        self.tree = tree
        self._homes()
        self.refresh()

    def _homes(self) -> None:
        """Where CMs and tellers of each outlet sit (its teams when it has them)."""
        tree = self.tree
        self.cm_homes: dict[int, list[int]] = {}
        self.teller_home: dict[int, int] = {}
        for o in tree.outlets.tolist():
            teams = sorted(tree.children(o), key=lambda j: tree.orgs[j].org_id)
            teams = [j for j in teams if tree.kind(j) == "TM"]
            if teams:
                self.teller_home[o] = teams[0]
                self.cm_homes[o] = teams[1:] or teams
            else:
                self.teller_home[o] = o
                self.cm_homes[o] = [o]
        self.cm_leaves = np.array(sorted({j for v in self.cm_homes.values() for j in v}), dtype=np.int32)
        self.staff_homes = np.array([i for i, o in enumerate(tree.orgs) if o.kind == "MD"], dtype=np.int32)

    def refresh(self) -> None:
        """Rebuild the picking pools after transfers, leavers and hires."""
        r = self.rows
        outlet = self.tree.outlet_of[r.org]
        n_orgs = len(self.tree.orgs)
        idx = np.arange(size(r))
        cm = (r.post == CM) & (outlet >= 0)
        active = cm & (r.status == ACTIVE)
        left = cm & (r.status == LEFT)
        self.active_cms = _Pool(idx[active], outlet[active], n_orgs)
        self.left_cms = _Pool(idx[left], outlet[left], n_orgs)

    def __len__(self) -> int:
        return size(self.rows)

    def pick_cm(self, rng: np.random.Generator, outlets: np.ndarray) -> np.ndarray:
        return self.active_cms.pick(rng, outlets)

    def pick_left(self, rng: np.random.Generator, outlets: np.ndarray) -> np.ndarray:
        return self.left_cms.pick(rng, outlets)

    def id_strings(self, idx: np.ndarray, rng: np.random.Generator) -> list[str]:
        """Employee ids for indexes; -1 is empty, UNKNOWN an id not in the feed."""
        idx = np.asarray(idx)
        out = np.array([""] * len(idx), dtype=object)
        known = idx >= 0
        out[known] = emp_ids(idx[known])
        unknown = idx == UNKNOWN
        if unknown.any():
            out[unknown] = unknown_ids(rng, int(unknown.sum()))
        return out.tolist()

    def lines(self) -> list[str]:
        r = self.rows
        ids = emp_ids(np.arange(size(r)))
        orgs = self.tree.ids[r.org].tolist()
        posts = [POSTS[p] for p in r.post.tolist()]
        stat = ["A" if s == ACTIVE else "L" for s in r.status.tolist()]
        hire = date_strs(r.hire).tolist()
        leave = date_strs(r.leave).tolist()
        return [f"{e}|{n}|{o}|{p}|{s}|{h}|{lv}"
                for e, n, o, p, s, h, lv in zip(ids, r.name.tolist(), orgs, posts, stat, hire, leave, strict=True)]

    def step(self, day: Day, rng: np.random.Generator) -> np.ndarray:
        """Transfers, leavers and hires of one day. Returns the indexes of today's leavers."""
        r = self.rows
        d = day.number
        n = size(r)
        active = r.status == ACTIVE
        movable = np.flatnonzero(active & (r.post == CM) & (r.hire < d))
        # Transfers: a CM moves to another team/outlet, mostly within the branch.
        movers = movable[rng.random(len(movable)) < 0.010]
        for e in movers.tolist():
            here = int(r.org[e])
            branch = self._branch_of(here)
            same = [j for j in self.cm_leaves.tolist() if j != here and self._branch_of(j) == branch]
            anywhere = [j for j in self.cm_leaves.tolist() if j != here]
            choices = same if same and rng.random() < 0.7 else anywhere
            if choices:
                r.org[e] = choices[int(rng.integers(0, len(choices)))]
        # Leavers: anyone but presidents.
        can_leave = np.flatnonzero(active & (r.post != PRES) & (r.hire < d))
        leavers = can_leave[rng.random(len(can_leave)) < 0.0004]
        r.status[leavers] = LEFT
        r.leave[leavers] = d
        # Hires: replace leavers on average, with slow growth.
        n_hire = int(rng.poisson(int(active.sum()) * 0.00045))
        if n_hire:
            self.rows = concat(r, self._new_people(rng, n_hire, d))
        if len(movers) or len(leavers) or n_hire or n != size(self.rows):
            self.refresh()
        return leavers

    def _branch_of(self, i: int) -> str:
        o = self.tree.orgs[i]
        while o.level > 2 and o.parent_id:
            o = self.tree.orgs[self.tree.index[o.parent_id]]
        return o.org_id

    def _new_people(self, rng: np.random.Generator, n: int, d: int) -> StaffRows:
        post = rng.choice([CM, TELLER, STAFF], n, p=[0.7, 0.2, 0.1]).astype(np.int8)
        org = np.empty(n, dtype=np.int32)
        outlets = self.tree.pick_outlets(rng, n, self.tree.outlets)
        for k in range(n):
            o = int(outlets[k])
            if post[k] == CM:
                homes = self.cm_homes[o]
                org[k] = homes[int(rng.integers(0, len(homes)))]
            elif post[k] == TELLER:
                org[k] = self.teller_home[o]
            else:
                org[k] = self.staff_homes[int(rng.integers(0, len(self.staff_homes)))]
        return StaffRows(org, post, np.zeros(n, dtype=np.int8), np.full(n, d, dtype=np.int32),
                         np.full(n, NO_DATE, dtype=np.int32), person_names(rng, n))


def build_staff(rng: np.random.Generator, scale: Scale, tree: OrgTree, today: int) -> Staff:
    """Staff every institution, then add historical leavers; ids follow hire order."""
    org: list[int] = []
    post: list[int] = []
    shell = Staff(StaffRows(*(np.zeros(0, dtype=t) for t in ("i4", "i1", "i1", "i4", "i4")),
                            np.zeros(0, dtype=object)), tree)
    for o in tree.outlets.tolist():
        if tree.kind(o) == "SB":
            org += [shell.teller_home[o], shell.teller_home[o]]
            post += [PRES, TELLER]
        else:
            org.append(o)
            post.append(VPRES)
        for home in shell.cm_homes[o]:
            org.append(home)
            post.append(CM)
    for m in shell.staff_homes.tolist():
        org.append(m)
        post.append(STAFF)

    extra = max(0, scale.employees - len(org))
    if extra:
        kinds = rng.choice([CM, TELLER, VPRES, STAFF], extra, p=[0.64, 0.15, 0.07, 0.14])
        outlets = tree.pick_outlets(rng, extra, tree.outlets)
        for k, o in zip(kinds.tolist(), outlets.tolist(), strict=True):
            if tree.kind(o) == "CD" and k != STAFF:
                k = CM  # departments have one head (VPRES) and no counter
            if k == CM:
                homes = shell.cm_homes[o]
                org.append(homes[int(rng.integers(0, len(homes)))])
            elif k == STAFF:
                org.append(int(shell.staff_homes[rng.integers(0, len(shell.staff_homes))]))
            else:
                org.append(shell.teller_home[o])
            post.append(k)

    n_active = len(org)
    n_left = max(2, round(0.06 * n_active))
    outlets = tree.pick_outlets(rng, n_left, tree.outlets)
    for o in outlets.tolist():
        homes = shell.cm_homes[o]
        org.append(homes[int(rng.integers(0, len(homes)))])
        post.append(CM)

    n = len(org)
    org_a = np.array(org, dtype=np.int32)
    post_a = np.array(post, dtype=np.int8)
    # Staff of a young team were usually hired before the team was formed.
    opened = np.minimum(tree.open_day[org_a], today - 400)
    earliest = np.where(post_a == PRES, opened, np.maximum(opened, today - 15 * 365))
    hire = (earliest + rng.random(n) * (today - 30 - earliest)).astype(np.int32)
    status = np.zeros(n, dtype=np.int8)
    status[n_active:] = LEFT
    leave = np.full(n, NO_DATE, dtype=np.int32)
    leave[n_active:] = (hire[n_active:] + rng.random(n_left) * (today - 1 - hire[n_active:])).astype(np.int32)
    rows = StaffRows(org_a, post_a, status, hire, leave, person_names(rng, n))
    order = np.lexsort((org_a, hire))
    return Staff(select(rows, order), tree)
