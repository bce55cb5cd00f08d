"""Covering indexes: the budget reads ten years of claim lines without their explanations.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

BUDGET_COLUMNS = [
    "record_id",
    "date",
    "id",
    "person_id",
    "category",
    "provider",
    "act_system",
    "act_code",
    "act_display",
    "currency",
    "charged",
    "base",
    "paid_primary",
    "paid_complementary",
    "fixed_charges",
    "overbilling",
    "patient_share",
]


def upgrade() -> None:
    op.create_index("ix_claim_lines_budget", "claim_lines", BUDGET_COLUMNS)
    op.create_index("ix_records_kind_current_id", "records", ["kind", "current", "id"])


def downgrade() -> None:
    op.drop_index("ix_records_kind_current_id", table_name="records")
    op.drop_index("ix_claim_lines_budget", table_name="claim_lines")
