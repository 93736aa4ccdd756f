"""Counting a priority vote: the Schulze method (default), Borda count and dot voting.

Pure functions over plain data, so they are easy to test against published examples.
A ranked ballot is a mapping ``{candidate: rank}`` with ranks 1, 2, 3 … (1 is first);
candidates a voter left out rank below every candidate they ranked, tied with each other.
A dot ballot is ``{candidate: points}``.

Ties are kept as ties: a ranking is a list of groups, each group a list of candidates that
share a place. Where a strict order is needed (the published priority list), ties are broken
by :data:`TIE_BREAK`, which the result page states.
"""
from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

Candidate = Hashable
Ranking = list[list[Candidate]]

TIE_BREAK = "ranked_by_more_then_raised_first"


@dataclass
class Tally:
    method: str
    candidates: list[Candidate]
    ranking: Ranking
    scores: dict[Candidate, float]
    pairwise: list[list[int]] = field(default_factory=list)
    ballots: int = 0

    @property
    def ordered(self) -> list[Candidate]:
        return [c for group in self.ranking for c in group]


def _rank_matrix(candidates: Sequence[Candidate], ballots: Iterable[Mapping[Candidate, int]]) -> np.ndarray:
    """Ballots × candidates array of ranks; unranked candidates get a rank below all others."""
    index = {c: i for i, c in enumerate(candidates)}
    rows = []
    unranked = len(candidates) + 1
    for ballot in ballots:
        row = [unranked] * len(candidates)
        for candidate, rank in ballot.items():
            if candidate in index:
                row[index[candidate]] = int(rank)
        rows.append(row)
    return np.array(rows, dtype=np.int32).reshape(len(rows), len(candidates))


def pairwise_matrix(candidates: Sequence[Candidate], ballots: Iterable[Mapping[Candidate, int]]) -> np.ndarray:
    """d[i][j]: how many ballots rank candidate i strictly above candidate j."""
    ranks = _rank_matrix(candidates, ballots)
    n = len(candidates)
    d = np.zeros((n, n), dtype=np.int64)
    for i in range(n):
        d[i] = (ranks[:, i : i + 1] < ranks).sum(axis=0)
    return d


def _groups(candidates: Sequence[Candidate], score: Mapping[Candidate, float]) -> Ranking:
    """Candidates grouped by equal score, best first; within a group, the input order."""
    ranking: Ranking = []
    for candidate in sorted(candidates, key=lambda c: -score[c]):
        if ranking and score[ranking[-1][0]] == score[candidate]:
            ranking[-1].append(candidate)
        else:
            ranking.append([candidate])
    return ranking


def schulze(candidates: Sequence[Candidate], ballots: Sequence[Mapping[Candidate, int]]) -> Tally:
    """The Schulze method: strongest paths over the pairwise defeats (widest path,
    Floyd–Warshall), then i is placed above j when p[i][j] > p[j][i]. That relation is
    transitive but, with ties in p, not always a complete ranking, so the ranking is built in
    layers: the first group is every candidate nobody beats (the Schulze winners), the next
    group every candidate beaten only by those, and so on. (Grouping by how many others a
    candidate beats would be wrong there: an unbeaten candidate that beats fewer others would
    be placed below a winner.) The score is how many others a candidate beats."""
    candidates = list(candidates)
    n = len(candidates)
    d = pairwise_matrix(candidates, ballots)
    p = np.where(d > d.T, d, 0)
    for k in range(n):
        # p[i][j] = max(p[i][j], min(p[i][k], p[k][j])) for all i, j at once.
        p = np.maximum(p, np.minimum(p[:, k : k + 1], p[k : k + 1, :]))
    stronger = p > p.T
    beats = stronger.sum(axis=1)
    wins = {c: int(beats[i]) for i, c in enumerate(candidates)}
    ranking: Ranking = []
    remaining = np.ones(n, dtype=bool)
    while remaining.any():
        # Unbeaten among the remaining; the relation is acyclic, so there always is one.
        layer = remaining & ~stronger[remaining].any(axis=0)
        ranking.append([candidates[i] for i in np.flatnonzero(layer)])
        remaining &= ~layer
    return Tally("schulze", candidates, ranking, {c: float(w) for c, w in wins.items()}, d.tolist(), len(ballots))


def borda(candidates: Sequence[Candidate], ballots: Sequence[Mapping[Candidate, int]]) -> Tally:
    """Borda count: with n candidates, rank 1 gives n-1 points, rank 2 gives n-2 …; an
    unranked candidate gets 0."""
    candidates = list(candidates)
    n = len(candidates)
    ranks = _rank_matrix(candidates, ballots)
    points = np.where(ranks <= n, n - ranks, 0).sum(axis=0) if len(ballots) else np.zeros(n)
    score = {c: float(points[i]) for i, c in enumerate(candidates)}
    return Tally("borda", candidates, _groups(candidates, score), score,
                 pairwise_matrix(candidates, ballots).tolist(), len(ballots))


def dots(candidates: Sequence[Candidate], ballots: Sequence[Mapping[Candidate, int]]) -> Tally:
    """Dot voting: each voter spreads points; the candidate with most points wins."""
    candidates = list(candidates)
    score = {c: 0.0 for c in candidates}
    for ballot in ballots:
        for candidate, points in ballot.items():
            if candidate in score:
                score[candidate] += points
    return Tally("dots", candidates, _groups(candidates, score), score, [], len(ballots))


METHODS = {"schulze": schulze, "borda": borda, "dots": dots}


def count(method: str, candidates: Sequence[Candidate], ballots: Sequence[Mapping[Candidate, int]]) -> Tally:
    return METHODS[method](candidates, ballots)


def break_ties(
    tally: Tally, ballots: Sequence[Mapping[Candidate, int]], raised_order: Sequence[Candidate]
) -> list[Candidate]:
    """A strict order for the published list: the ranking, with each tied group ordered by
    how many ballots marked the candidate at all (more first), then by which issue was
    raised first. (:data:`TIE_BREAK`)"""
    marked = {c: 0 for c in tally.candidates}
    for ballot in ballots:
        for candidate in ballot:
            if candidate in marked:
                marked[candidate] += 1
    raised = {c: i for i, c in enumerate(raised_order)}
    return [c for group in tally.ranking
            for c in sorted(group, key=lambda c: (-marked[c], raised.get(c, len(raised))))]


def place_label(first: int, size: int) -> str:
    """How a place is written everywhere (the result page, the published priority list): "3"
    for one issue, "2–3" for a group of two tied issues that share places 2 and 3."""
    return str(first) if size <= 1 else f"{first}–{first + size - 1}"
