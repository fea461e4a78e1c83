"""The frontier in the database: discovered URLs and polled sources (tables `frontier`, `sources`).

`FrontierRepository` is the archive's repository plus the frontier: a batch of articles marks
its URLs `stored` in the transaction that stores them, and a rejection marks its URL `rejected`
(or `failed`, retried later) in the transaction that records it, so a process killed at any
point leaves every URL either settled or still `pending`, and the next run fetches the pending
ones. Discovery inserts `pending` rows with `INSERT ... ON CONFLICT DO NOTHING`, in one
transaction with the poll of the source that found them. Every method runs on the archive's
writer thread, never on the reactor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Table, bindparam, func, or_, select, update

from crawler.frontier_policy import FrontierPolicy, is_transient
from crawler.storage import models
from crawler.storage.engine import SQLITE_BEGIN_OPTION
from crawler.storage.repository import PreparedArticle, Repository, json_safe

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

CHUNK = 500
# What storing an article sets on its URL's frontier row.
_STORED_COLUMNS = (
    "state",
    "reason",
    "next_retry_at",
    "last_fetched_at",
    "visits",
    "next_visit_at",
    "crawl_run_id",
)


@dataclass(frozen=True)
class Poll:
    """One fetch of a source: what to remember of it."""

    url: str
    site_key: str
    kind: str
    status: int
    etag: str | None = None
    last_modified: str | None = None
    parent_url: str | None = None


@dataclass(frozen=True)
class SourceState:
    url: str
    kind: str
    parent_url: str | None
    etag: str | None
    last_modified: str | None
    next_poll_at: datetime | None

    def due(self, now: datetime) -> bool:
        return self.next_poll_at is None or self.next_poll_at <= now


@dataclass
class Discovery:
    """What a discovery batch found: URLs never seen, and every URL to fetch now.

    `unsettled` counts the new and still pending URLs: a listing page with none holds nothing
    new, and its next pages are not fetched.
    """

    new: list[str] = field(default_factory=list)
    to_fetch: list[str] = field(default_factory=list)
    unsettled: int = 0


@dataclass(frozen=True)
class RejectionRecord:
    url: str
    site_key: str | None
    reason: str
    detail: str


def _chunks(values: list[Any], size: int = CHUNK) -> list[list[Any]]:
    return [values[start : start + size] for start in range(0, len(values), size)]


class FrontierRepository(Repository):
    """Repository whose article and rejection writes also settle the URL's frontier row."""

    def __init__(
        self,
        engine: Engine,
        *,
        pipeline_version: str = "",
        policy: FrontierPolicy | None = None,
    ) -> None:
        super().__init__(
            engine, pipeline_version=pipeline_version, batch_listeners=[self.mark_stored]
        )
        self.policy = policy or FrontierPolicy()

    # -- discovery -------------------------------------------------------------------------

    def discover(
        self,
        site_key: str,
        links: dict[str, dict[str, Any]],
        run_id: int | None,
        poll: Poll | None = None,
        child_sources: list[str] | None = None,
        now: datetime | None = None,
    ) -> Discovery:
        """Insert unknown URLs as `pending` and say which URLs to fetch now.

        `links` maps each URL to its discovery hints. To fetch: new and pending URLs, failed
        ones due for a retry, stored ones due for a revisit (with `incremental` off: all but
        the rejected ones). The source's poll (and the child sitemaps an index names) are
        recorded in the same transaction, so a poll is never remembered without its URLs.
        """
        now = now or datetime.now(UTC)
        found = Discovery()
        urls = list(links)
        table = models.FrontierUrl
        with self.engine.begin() as connection:
            for chunk in _chunks(urls):
                known = {
                    row.url: row
                    for row in connection.execute(
                        select(
                            table.url, table.state, table.next_retry_at, table.next_visit_at
                        ).where(table.url.in_(chunk))
                    )
                }
                fresh = [
                    {
                        "url": url,
                        "site_key": site_key,
                        "state": "pending",
                        "discovered_at": now,
                        "hints": json_safe(links[url]) if links[url] else None,
                        "crawl_run_id": run_id,
                    }
                    for url in chunk
                    if url not in known
                ]
                inserted: set[str] = set()
                if fresh:
                    # one multi-row INSERT ... ON CONFLICT DO NOTHING RETURNING per chunk
                    # (SQLAlchemy's "insertmanyvalues"): only the rows this writer created come
                    # back, another writer's concurrent rows do not
                    statement = (
                        self._insert(table)
                        .on_conflict_do_nothing(index_elements=["url"])
                        .returning(table.url)
                    )
                    inserted = set(connection.execute(statement, fresh).scalars())
                for url in chunk:
                    row = known.get(url)
                    if url in inserted:
                        found.new.append(url)
                        found.to_fetch.append(url)
                        found.unsettled += 1
                    elif row is None or row.state == "pending":
                        found.to_fetch.append(url)  # pending (or another writer's new row)
                        found.unsettled += 1
                    elif self._due(row, now):
                        found.to_fetch.append(url)
            if poll is not None:
                self._record_poll(connection, poll, len(found.new), now)
            for child in child_sources or []:
                connection.execute(
                    self._insert(models.Source)
                    .values(
                        url=child,
                        site_key=site_key,
                        kind="sitemap",
                        parent_url=poll.url if poll else None,
                        poll_interval=round(self.policy.poll_interval),
                    )
                    .on_conflict_do_nothing(index_elements=["url"])
                )
        return found

    def _due(self, row: Any, now: datetime) -> bool:
        if row.state == "pending":
            return True
        if row.state == "rejected":
            return False
        if not self.policy.incremental:
            return True
        if row.state == "failed":
            return row.next_retry_at is None or row.next_retry_at <= now
        return row.next_visit_at is not None and row.next_visit_at <= now

    def due_urls(
        self, site_key: str, now: datetime | None = None
    ) -> list[tuple[str, dict[str, Any]]]:
        """The site's URLs to fetch at the start of a run: pending, retries and revisits due."""
        now = now or datetime.now(UTC)
        table = models.FrontierUrl
        condition = or_(
            table.state == "pending",
            (table.state == "failed") & (table.next_retry_at <= now),
            (table.state == "stored") & (table.next_visit_at <= now),
        )
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(table.url, table.hints)
                .where(table.site_key == site_key, condition)
                .order_by(table.discovered_at, table.url)
            ).all()
        return [(row.url, dict(row.hints or {})) for row in rows]

    def pending_count(self, site_keys: list[str]) -> int:
        """URLs of these sites (all sites when empty) still waiting for a fetch."""
        table = models.FrontierUrl
        query = select(func.count()).select_from(table).where(table.state == "pending")
        if site_keys:
            query = query.where(table.site_key.in_(site_keys))
        reader = self.engine.execution_options(**{SQLITE_BEGIN_OPTION: "DEFERRED"})
        with reader.connect() as connection:
            return int(connection.execute(query).scalar_one())

    def ledger(self, site_key: str | None = None) -> dict[str, int]:
        """Frontier rows by state (every state present, zero when empty)."""
        table = models.FrontierUrl
        query = select(table.state, func.count()).group_by(table.state)
        if site_key is not None:
            query = query.where(table.site_key == site_key)
        with self.engine.connect() as connection:
            counts = {state: int(count) for state, count in connection.execute(query)}
        return {state: counts.get(state, 0) for state in models.FRONTIER_STATES}

    # -- sources ---------------------------------------------------------------------------

    def sources(self, site_key: str) -> dict[str, SourceState]:
        table = models.Source
        query = select(
            table.url,
            table.kind,
            table.parent_url,
            table.etag,
            table.last_modified,
            table.next_poll_at,
        ).where(table.site_key == site_key)
        with self.engine.connect() as connection:
            return {row.url: SourceState(*row) for row in connection.execute(query)}

    def record_poll(self, poll: Poll, new_count: int = 0, now: datetime | None = None) -> None:
        with self.engine.begin() as connection:
            self._record_poll(connection, poll, new_count, now or datetime.now(UTC))

    def _record_poll(
        self, connection: Connection, poll: Poll, new_count: int, now: datetime
    ) -> None:
        table = models.Source
        previous = connection.execute(
            select(table.poll_interval, table.etag, table.last_modified).where(
                table.url == poll.url
            )
        ).one_or_none()
        interval = round(
            self.policy.next_interval(
                None if previous is None else float(previous.poll_interval), new_count
            )
        )
        values: dict[str, Any] = {
            "site_key": poll.site_key,
            "kind": poll.kind,
            "last_polled_at": now,
            "next_poll_at": now + timedelta(seconds=interval),
            "poll_interval": interval,
            "last_status": poll.status,
            "last_new_count": new_count,
        }
        if poll.status == 200:  # a 304 keeps the validators it confirmed
            values.update(etag=poll.etag, last_modified=poll.last_modified)
        if previous is None:
            connection.execute(
                self._insert(table).values(url=poll.url, parent_url=poll.parent_url, **values)
            )
        else:
            connection.execute(update(table).where(table.url == poll.url).values(**values))

    # -- settling URLs ---------------------------------------------------------------------

    def mark_stored(
        self, connection: Connection, run_id: int | None, batch: list[PreparedArticle]
    ) -> None:
        """The batch's URLs become `stored`: one lookup, one UPDATE and one INSERT for all.

        A batch listener of the repository: it runs in the transaction that stores the batch.
        """
        table = cast(Table, models.FrontierUrl.__table__)
        urls = list(dict.fromkeys(item.article.url for item in batch))
        known: dict[str, tuple[str, int]] = {}
        for start in range(0, len(urls), CHUNK):
            rows = connection.execute(
                select(table.c.url, table.c.state, table.c.visits).where(
                    table.c.url.in_(urls[start : start + CHUNK])
                )
            )
            known.update({row.url: (row.state, int(row.visits)) for row in rows})
        in_database = set(known)
        updates: dict[str, dict[str, Any]] = {}
        inserts: dict[str, dict[str, Any]] = {}
        for item in batch:  # in order: a URL stored twice in one batch counts one revisit
            article = item.article
            url = article.url
            state = known.get(url)
            # 0 the first time the URL is stored, then one more each revisit
            visits = 0 if state is None or state[0] != "stored" else state[1] + 1
            known[url] = ("stored", visits)
            published = article.published.value if article.published else None
            values: dict[str, Any] = {
                "state": "stored",
                "reason": None,
                "next_retry_at": None,
                "last_fetched_at": item.fetched_at,
                "visits": visits,
                "next_visit_at": self.policy.next_visit(visits, item.fetched_at, published),
                "crawl_run_id": run_id,
            }
            if url in in_database:
                updates[url] = values
            else:
                first = inserts.get(url, {"discovered_at": item.fetched_at})
                inserts[url] = {
                    "url": url,
                    "site_key": article.site,
                    "discovered_at": first["discovered_at"],
                    **values,
                }
        if updates:
            connection.execute(
                update(table)
                .where(table.c.url == bindparam("frontier_url"))
                .values({name: bindparam(name) for name in _STORED_COLUMNS}),
                [{"frontier_url": url, **values} for url, values in updates.items()],
            )
        if inserts:
            statement = self._insert(models.FrontierUrl)
            statement = statement.on_conflict_do_update(
                index_elements=["url"],
                set_={name: statement.excluded[name] for name in _STORED_COLUMNS},
            )
            connection.execute(statement, list(inserts.values()))

    def record_rejections(
        self, run_id: int | None, rejections: list[RejectionRecord], now: datetime | None = None
    ) -> None:
        """Rejection rows and the frontier state of their URLs, in one transaction."""
        if not rejections:
            return
        now = now or datetime.now(UTC)
        table = models.FrontierUrl
        with self.engine.begin() as connection:
            for rejection in rejections:
                connection.execute(
                    self._insert(models.Rejection).values(
                        crawl_run_id=run_id,
                        url=rejection.url,
                        site_key=rejection.site_key,
                        reason=rejection.reason,
                        detail=rejection.detail,
                        rejected_at=now,
                    )
                )
                row = connection.execute(
                    select(table.state, table.attempts, table.visits).where(
                        table.url == rejection.url
                    )
                ).one_or_none()
                if row is None:
                    continue  # not a discovered URL (`scrapy crawl urls`): the rejection says it
                values: dict[str, Any] = {"last_fetched_at": now, "crawl_run_id": run_id}
                if row.state == "stored":
                    # a revisit that failed: the article stays stored, the schedule moves on
                    visits = int(row.visits) + 1
                    values.update(
                        visits=visits, next_visit_at=self.policy.next_visit(visits, now, None)
                    )
                else:
                    attempts = int(row.attempts) + 1
                    retry = (
                        self.policy.retry_at(attempts, now)
                        if is_transient(rejection.reason, rejection.detail)
                        else None
                    )
                    values.update(
                        state="failed" if retry is not None else "rejected",
                        reason=rejection.reason,
                        attempts=attempts,
                        next_retry_at=retry,
                    )
                connection.execute(update(table).where(table.url == rejection.url).values(**values))
