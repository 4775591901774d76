"""The performance-attribution tree of institutions (ORG feed).

Shape: head office 0001 -> branches bb00 -> the branch's business hall bb01 and
sub-branches bb02.. (bb10 skipped), head-office corporate business departments
(level 3) hanging under a branch (bb10) or under the head office (00k0), marketing
teams (level 4) under a few sub-branches (bb5x), and management departments
(level 4) that hold staff but no accounts (0002.., bb99). The tree is stable;
in a long run one sub-branch is moved to another branch once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from .dates import Day, day_number, ymd
from .names import ROADS, TOWNS
from .sizing import Scale

BRANCH_NAMES = ("城东分行", "城西分行", "义乌分行", "东阳分行", "永康分行", "兰溪分行", "浦江分行", "武义分行")
_CD_NUMERALS = "一二三四五六"
_HO_DEPARTMENTS = ("总行办公室", "总行计划财务部", "总行风险管理部")
REPARENT_DAY = 180  # day index of the one structural change in a long run


@dataclass
class Org:
    org_id: str
    name: str
    parent_id: str
    level: int
    kind: str  # HO BR SB CD MD TM
    open_day: int
    status: str = "A"

    def line(self) -> str:
        return f"{self.org_id}|{self.name}|{self.parent_id}|{self.level}|{self.kind}|{self.status}|{ymd(self.open_day)}"


class OrgTree:
    """Institutions plus the lookups the rest of the bank needs.

    Accounts are opened at *outlets* (sub-branches and corporate departments);
    their marketers may sit on a team under the outlet, so `outlet_of` maps
    every staffed institution to the outlet whose accounts it serves.
    """

    def __init__(self, orgs: list[Org], outlet_weight: dict[str, float]) -> None:
        self.orgs = orgs
        self.index = {o.org_id: i for i, o in enumerate(orgs)}
        self.ids = np.array([o.org_id for o in orgs], dtype=object)
        self.open_day = np.array([o.open_day for o in orgs], dtype=np.int32)
        self.outlets = np.array([i for i, o in enumerate(orgs) if o.kind in ("SB", "CD")], dtype=np.int32)
        self.subs = np.array([i for i, o in enumerate(orgs) if o.kind == "SB"], dtype=np.int32)
        self.departments = np.array([i for i, o in enumerate(orgs) if o.kind == "CD"], dtype=np.int32)
        self.business_halls = np.array(
            [i for i, o in enumerate(orgs) if o.kind == "SB" and o.org_id.endswith("01")], dtype=np.int32
        )
        self.weight = np.array([outlet_weight.get(o.org_id, 0.0) for o in orgs])
        self.outlet_of = np.full(len(orgs), -1, dtype=np.int32)
        for i, o in enumerate(orgs):
            if o.kind in ("SB", "CD"):
                self.outlet_of[i] = i
            elif o.kind == "TM":
                self.outlet_of[i] = self.index[o.parent_id]
        self.reparented = False

    def children(self, i: int) -> list[int]:
        pid = self.orgs[i].org_id
        return [j for j, o in enumerate(self.orgs) if o.parent_id == pid]

    def kind(self, i: int) -> str:
        return self.orgs[i].kind

    def pick_outlets(self, rng: np.random.Generator, n: int, among: np.ndarray) -> np.ndarray:
        """Outlets for n new customers, busier outlets more often."""
        w = self.weight[among]
        return among[rng.choice(len(among), n, p=w / w.sum())]

    def lines(self) -> list[str]:
        return [o.line() for o in self.orgs]

    def maybe_reparent(self, day: Day) -> bool:
        """Once, on REPARENT_DAY, move the last untended sub-branch of the last branch to the first."""
        if self.reparented or day.index != REPARENT_DAY:
            return False
        branches = [o for o in self.orgs if o.kind == "BR"]
        if len(branches) < 2:
            return False
        last = branches[-1].org_id
        teamed = {o.parent_id for o in self.orgs if o.kind == "TM"}
        movable = [o for o in self.orgs if o.kind == "SB" and o.parent_id == last
                   and not o.org_id.endswith("01") and o.org_id not in teamed]
        if not movable:
            return False
        movable[-1].parent_id = branches[0].org_id
        self.reparented = True
        return True


def build_tree(rng: np.random.Generator, scale: Scale, today: int) -> OrgTree:
    """Lay out the tree for this size; open dates precede everything opened under them."""
    first_day = day_number(dt.date(1997, 1, 1))
    orgs = [Org("0001", "总行", "", 1, "HO", first_day)]
    for k, name in enumerate(_HO_DEPARTMENTS[: 2 if scale.growth < 2 else 3]):
        orgs.append(Org(f"{k + 2:04d}", name, "0001", 4, "MD", first_day))

    place_names = list(dict.fromkeys(f"{p}支行" for p in (*ROADS, *TOWNS)))
    place_order = rng.permutation(len(place_names))
    next_place = iter(place_order.tolist())
    weights: dict[str, float] = {}
    subs: list[Org] = []
    n_cd_under_branches = min(scale.corporate_departments // 2 + scale.corporate_departments % 2, scale.branches)
    cd_count = 0

    for b in range(1, scale.branches + 1):
        bid = f"{b:02d}00"
        b_open = day_number(dt.date(1998, 3, 1)) + (b - 1) * int(rng.integers(300, 900))
        orgs.append(Org(bid, BRANCH_NAMES[b - 1], "0001", 2, "BR", b_open))
        hall = Org(f"{b:02d}01", f"{BRANCH_NAMES[b - 1]}营业部", bid, 3, "SB", b_open)
        orgs.append(hall)
        subs.append(hall)
        weights[hall.org_id] = float(rng.uniform(1.5, 2.5))
        numbers = [k for k in range(2, 50) if k % 10][: scale.subs_per_branch - 1]
        for k in numbers:
            s_open = int(rng.integers(b_open, day_number(dt.date(2021, 1, 1))))
            sub = Org(f"{b:02d}{k:02d}", place_names[next(next_place)], bid, 3, "SB", s_open)
            orgs.append(sub)
            subs.append(sub)
            weights[sub.org_id] = float(rng.lognormal(0.0, 0.45))
        if b <= n_cd_under_branches:
            cd_count += 1
            cd = Org(f"{b:02d}10", f"总行公司业务{_CD_NUMERALS[cd_count - 1]}部", bid, 3, "CD",
                     day_number(dt.date(2012, 1, 1)) + int(rng.integers(0, 1500)))
            orgs.append(cd)
            weights[cd.org_id] = float(rng.uniform(1.0, 2.0))
        orgs.append(Org(f"{b:02d}99", f"{BRANCH_NAMES[b - 1]}综合管理部", bid, 4, "MD", b_open))

    for k in range(scale.corporate_departments - cd_count):
        cd_count += 1
        cd = Org(f"00{k + 1}0", f"总行公司业务{_CD_NUMERALS[cd_count - 1]}部", "0001", 3, "CD",
                 day_number(dt.date(2014, 1, 1)) + int(rng.integers(0, 1500)))
        orgs.append(cd)
        weights[cd.org_id] = float(rng.uniform(1.0, 2.0))

    # Marketing teams under a few of the larger sub-branches (never a business hall).
    candidates = [s for s in subs if not s.org_id.endswith("01")]
    candidates.sort(key=lambda s: -weights[s.org_id])
    for s in candidates[: scale.teamed_subs]:
        b = s.org_id[:2]
        used = sum(1 for o in orgs if o.kind == "TM" and o.org_id.startswith(b))
        short = s.name.removesuffix("支行")
        names = ["综合团队", "营销一队", "营销二队"][: 2 + int(rng.integers(0, 2))]
        t_open = max(s.open_day, day_number(dt.date(2021, 1, 1))) + int(rng.integers(0, 900))
        t_open = min(t_open, today - 30)
        for j, team in enumerate(names):
            orgs.append(Org(f"{b}{51 + used + j}", f"{short}{team}", s.org_id, 4, "TM", t_open))

    orgs.sort(key=lambda o: o.org_id)
    return OrgTree(orgs, weights)
