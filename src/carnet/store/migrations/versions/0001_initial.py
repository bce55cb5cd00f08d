"""Initial vault schema.

While this is the only revision it builds the schema from ``carnet.store.schema``;
the first schema change must freeze this revision's tables here and add 0002.

Revision ID: 0001
Revises:
"""

from alembic import op

from carnet.store.schema import metadata

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    metadata.create_all(bind=op.get_bind())


def downgrade() -> None:
    metadata.drop_all(bind=op.get_bind())
