"""Wire-story clusters, replayed over one batch of articles in batch order.

Each article signed by the batch (a MinHash of its body, crawler/clustering.py) finds its
candidates through the band index, as the articles before it in the batch left that index,
then joins the cluster of its most similar candidate. The rows to write are collected here;
the batch writer (crawler/storage/batch.py) writes them with its other rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from crawler import clustering
from crawler.storage.statements import PLACEHOLDER, Statements, select_in

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from crawler.storage.batch import PreparedArticle, _State

# Articles sharing the most band keys with a new one whose signatures are compared with it.
MAX_CANDIDATES = 200


@dataclass
class ClusterEvent:
    """One `sign` call: the article, its signature and its candidates at that moment."""

    article_id: int
    signature: list[int]
    candidates: list[tuple[int, list[int] | None]]  # (id, signature, None: read it from the DB)


class ClusterReplay:
    """The batch's signings, band index and cluster joins, in memory until written."""

    def __init__(self, connection: Connection, sql: Statements, states: dict[int, _State]) -> None:
        self.connection = connection
        self.sql = sql
        self.states = states  # the batch writer's, shared
        self.band_members: dict[str, set[int]] = {}
        self.bands_of: dict[int, set[str]] = {}
        self.signatures: dict[int, dict[str, Any] | None] = {}
        self.signings: list[tuple[int, PreparedArticle]] = []  # `sign` calls, in order
        self.events: list[ClusterEvent] = []
        self.cluster_of: dict[int, int | None] = {}
        self.new_clusters: list[datetime] = []
        self.members: list[dict[str, Any]] = []
        self.cluster_updates: dict[int, int] = {}  # stored articles that join a cluster

    def sign(self, article_id: int, item: PreparedArticle) -> None:
        """Sign the article's body; `index_bands` then finds its candidates, in batch order.

        Candidates come from the indexed band keys, so copies stored by other runs and other
        processes are found; on PostgreSQL, writers sharing a band key are serialised by
        `Repository._lock`, so two copies of one dispatch never found two clusters. Which
        cluster it joins is decided by `play` once the candidates' stored signatures are read.
        """
        stored = self.states[article_id]
        stored.signed = item.signature is not None
        self.signatures[article_id] = (
            None
            if item.signature is None
            else {
                "article_id": article_id,
                "signature": clustering.pack_signature(item.signature),
                "content_hash": item.content_hash,
            }
        )
        self.signings.append((article_id, item))

    def index_bands(self) -> None:
        """Replay the batch's signings on the band index: each one's candidates at its turn.

        Only the band keys of articles signed by this batch are read (an unchanged article
        that is already signed costs no band lookup).
        """
        if not self.signings:
            return
        keys = {key for _, item in self.signings for key in item.band_keys}
        for key, article_id in select_in(self.connection, self.sql.bands, keys):
            self.band_members.setdefault(key, set()).add(int(article_id))
            self.bands_of.setdefault(int(article_id), set()).add(key)
        signed_now: dict[int, list[int]] = {}  # signatures the batch gave so far
        for article_id, item in self.signings:
            for key in self.bands_of.pop(article_id, set()):
                self.band_members[key].discard(article_id)
            signed_now.pop(article_id, None)
            if item.signature is None:
                continue
            signed_now[article_id] = item.signature
            self.bands_of[article_id] = set(item.band_keys)
            shared: dict[int, int] = {}
            for key in item.band_keys:
                members = self.band_members.setdefault(key, set())
                for other in members:
                    shared[other] = shared.get(other, 0) + 1
                members.add(article_id)
            ranked = sorted(shared.items(), key=lambda pair: (-pair[1], pair[0]))
            self.events.append(
                ClusterEvent(
                    article_id,
                    item.signature,
                    [(other, signed_now.get(other)) for other, _ in ranked[:MAX_CANDIDATES]],
                )
            )

    def play(self) -> None:
        """Join each signed article to the cluster of its most similar candidate, in order.

        An article that is already in a cluster stays there (an edited copy is still the same
        dispatch); one with no similar article stays out of clusters (no singletons).
        """
        if not self.events:
            return
        from_db = {
            other
            for event in self.events
            for other, signature in event.candidates
            if signature is None
        }
        stored: dict[int, list[int]] = {}
        for article_id, blob, cluster_id in select_in(
            self.connection, self.sql.signatures, from_db, "ids"
        ):
            stored[int(article_id)] = clustering.unpack_signature(blob)
            self.cluster_of.setdefault(
                int(article_id), None if cluster_id is None else int(cluster_id)
            )
        for event in self.events:
            if self.cluster_of[event.article_id] is not None:
                continue
            scored = sorted(
                (-clustering.similarity(event.signature, signature), other)
                for other, signature in (
                    (other, signature if signature is not None else stored.get(other))
                    for other, signature in event.candidates
                )
                if signature is not None
            )
            if not scored or -scored[0][0] < clustering.CLUSTER_THRESHOLD:
                continue
            match_id, similarity = scored[0][1], -scored[0][0]
            now = datetime.now(UTC)
            cluster_id = self.cluster_of[match_id]
            if cluster_id is None:
                cluster_id = PLACEHOLDER + len(self.new_clusters)
                self.new_clusters.append(now)
                self._join(cluster_id, match_id, 1.0, None, now)
            self._join(cluster_id, event.article_id, similarity, match_id, now)

    def _join(
        self,
        cluster_id: int,
        article_id: int,
        similarity: float,
        matched_id: int | None,
        now: datetime,
    ) -> None:
        self.cluster_of[article_id] = cluster_id
        self.members.append(
            {
                "article_id": article_id,
                "cluster_id": cluster_id,
                "similarity": similarity,
                "matched_article_id": matched_id,
                "joined_at": now,
            }
        )
        stored = self.states.get(article_id)
        if stored is not None and stored.new:
            stored.values["cluster_id"] = cluster_id
        else:
            self.cluster_updates[article_id] = cluster_id
