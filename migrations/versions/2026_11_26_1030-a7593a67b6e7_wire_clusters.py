"""Wire-story clusters: MinHash signatures, LSH band keys, clusters and their members.

Revision ID: a7593a67b6e7
Revises: 3dd597c3037e
Create Date: 2026-11-26 10:30:00.000000+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a7593a67b6e7"
down_revision: str | Sequence[str] | None = "3dd597c3037e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _article_fk(table: str, column: str = "article_id", ondelete: str = "CASCADE") -> sa.Constraint:
    return sa.ForeignKeyConstraint(
        [column], ["articles.id"], name=op.f(f"fk_{table}_{column}_articles"), ondelete=ondelete
    )


def upgrade() -> None:
    op.create_table(
        "article_signatures",
        sa.Column("article_id", Id, nullable=False, comment="The article."),
        sa.Column(
            "signature",
            sa.LargeBinary(),
            nullable=False,
            comment="128 MinHash values of the body's 5-word shingles, uint32 LE.",
        ),
        sa.Column(
            "content_hash",
            sa.String(length=64),
            nullable=False,
            comment="content_hash of the article version that was signed.",
        ),
        _article_fk("article_signatures"),
        sa.PrimaryKeyConstraint("article_id", name=op.f("pk_article_signatures")),
        comment="MinHash signature of each clustered article's body (crawler/clustering.py).",
    )
    op.create_table(
        "article_bands",
        sa.Column(
            "band_key",
            sa.String(length=32),
            nullable=False,
            comment='Band number and hash of its rows, "b7:0f3a...".',
        ),
        sa.Column("article_id", Id, nullable=False, comment="The article."),
        _article_fk("article_bands"),
        sa.PrimaryKeyConstraint("band_key", "article_id", name=op.f("pk_article_bands")),
        comment="LSH band keys of the signatures: articles sharing a key are candidate copies "
        "of one dispatch (indexed by band_key, the primary key's first column).",
    )
    op.create_index(
        op.f("ix_article_bands_article_id"), "article_bands", ["article_id"], unique=False
    )
    op.create_table(
        "clusters",
        sa.Column("id", Id, nullable=False, comment="Surrogate key (cluster id)."),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="When the second member made it a cluster, UTC.",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clusters")),
        comment="Wire-story clusters: one dispatch republished by several outlets or URLs.",
    )
    op.create_table(
        "cluster_members",
        sa.Column("article_id", Id, nullable=False, comment="The article."),
        sa.Column("cluster_id", Id, nullable=False, comment="The cluster."),
        sa.Column(
            "similarity",
            sa.Float(),
            nullable=False,
            comment="Estimated Jaccard similarity (0 to 1) of 5-word shingles with "
            "matched_article_id when it joined; 1 for the member the cluster was founded on.",
        ),
        sa.Column(
            "matched_article_id",
            Id,
            nullable=True,
            comment="Member it was found similar to (null for the founding member).",
        ),
        sa.Column(
            "joined_at",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="When it joined the cluster, UTC.",
        ),
        _article_fk("cluster_members"),
        _article_fk("cluster_members", "matched_article_id", "SET NULL"),
        sa.ForeignKeyConstraint(
            ["cluster_id"],
            ["clusters.id"],
            name=op.f("fk_cluster_members_cluster_id_clusters"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", name=op.f("pk_cluster_members")),
        comment="Members of each cluster (articles.cluster_id is the same link, denormalised).",
    )
    op.create_index(
        op.f("ix_cluster_members_cluster_id"), "cluster_members", ["cluster_id"], unique=False
    )
    # Researchers look articles up by cluster (no foreign key: adding one to articles would
    # recreate the table on SQLite and drop its full-text triggers).
    op.create_index(op.f("ix_articles_cluster_id"), "articles", ["cluster_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_articles_cluster_id"), table_name="articles")
    op.drop_index(op.f("ix_cluster_members_cluster_id"), table_name="cluster_members")
    op.drop_table("cluster_members")
    op.drop_table("clusters")
    op.drop_index(op.f("ix_article_bands_article_id"), table_name="article_bands")
    op.drop_table("article_bands")
    op.drop_table("article_signatures")
