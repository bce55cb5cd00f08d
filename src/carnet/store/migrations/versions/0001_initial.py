"""Initial vault schema: household, sources, archive, imports, records, claim lines,
problems, access log. Frozen: later changes are new revisions.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "archive",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_archive")),
    )
    op.create_table(
        "meta",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_meta")),
    )
    op.create_table(
        "persons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("natural_key", sa.String(length=255), nullable=False),
        sa.Column("given", sa.Text(), nullable=True),
        sa.Column("family", sa.Text(), nullable=True),
        sa.Column("birth_date", sa.String(length=32), nullable=True),
        sa.Column("sex", sa.String(length=32), nullable=True),
        sa.Column("deceased", sa.String(length=64), nullable=True),
        sa.Column("relationship", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_persons")),
        sa.UniqueConstraint("natural_key", name=op.f("uq_persons_natural_key")),
    )
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sources")),
        sa.UniqueConstraint("name", name=op.f("uq_sources_name")),
    )
    op.create_table(
        "access_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"], name=op.f("fk_access_log_person_id_persons")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_log")),
    )
    op.create_table(
        "archive_chunks",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["sha256"], ["archive.sha256"], name=op.f("fk_archive_chunks_sha256_archive")),
        sa.PrimaryKeyConstraint("sha256", "seq", name=op.f("pk_archive_chunks")),
    )
    op.create_table(
        "imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("importer", sa.String(length=64), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("imported_at", sa.String(length=32), nullable=False),
        sa.Column("read", sa.Integer(), nullable=False),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("duplicates", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("warnings", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["file_sha256"], ["archive.sha256"], name=op.f("fk_imports_file_sha256_archive")),
        sa.ForeignKeyConstraint(["source_id"], ["sources.id"], name=op.f("fk_imports_source_id_sources")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imports")),
    )
    op.create_index(op.f("ix_imports_file_sha256"), "imports", ["file_sha256"], unique=False)
    op.create_table(
        "problems",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("file", sa.Text(), nullable=False),
        sa.Column("position", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(["import_id"], ["imports.id"], name=op.f("fk_problems_import_id_imports")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_problems")),
    )
    op.create_index(op.f("ix_problems_import_id"), "problems", ["import_id"], unique=False)
    op.create_table(
        "records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("natural_key", sa.String(length=255), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("current", sa.Boolean(), nullable=False),
        sa.Column("resource_type", sa.String(length=64), nullable=True),
        sa.Column("date", sa.String(length=40), nullable=True),
        sa.Column("end_date", sa.String(length=40), nullable=True),
        sa.Column("code_system", sa.Text(), nullable=True),
        sa.Column("code", sa.Text(), nullable=True),
        sa.Column("display", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=64), nullable=True),
        sa.Column("value_num", sa.Float(), nullable=True),
        sa.Column("value_unit", sa.Text(), nullable=True),
        sa.Column("value_text", sa.Text(), nullable=True),
        sa.Column("reference_range", sa.Text(), nullable=True),
        sa.Column("details", sa.Text(), nullable=True),
        sa.Column("resource", sa.Text(), nullable=True),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("pointer", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["import_id"], ["imports.id"], name=op.f("fk_records_import_id_imports")),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"], name=op.f("fk_records_person_id_persons")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_records")),
        sa.UniqueConstraint("natural_key", "content_hash", name=op.f("uq_records_natural_key_content_hash")),
    )
    op.create_index("ix_records_person_kind_date", "records", ["person_id", "kind", "date"], unique=False)
    op.create_table(
        "claim_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("date", sa.String(length=40), nullable=True),
        sa.Column("category", sa.String(length=64), nullable=True),
        sa.Column("provider", sa.Text(), nullable=True),
        sa.Column("act_system", sa.Text(), nullable=True),
        sa.Column("act_code", sa.Text(), nullable=True),
        sa.Column("act_display", sa.Text(), nullable=True),
        sa.Column("quantity", sa.String(length=32), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("charged", sa.BigInteger(), nullable=True),
        sa.Column("base", sa.BigInteger(), nullable=True),
        sa.Column("paid_primary", sa.BigInteger(), nullable=True),
        sa.Column("paid_complementary", sa.BigInteger(), nullable=True),
        sa.Column("fixed_charges", sa.BigInteger(), nullable=True),
        sa.Column("overbilling", sa.BigInteger(), nullable=True),
        sa.Column("patient_share", sa.BigInteger(), nullable=True),
        sa.Column("primary_payer", sa.Text(), nullable=True),
        sa.Column("complementary_payer", sa.Text(), nullable=True),
        sa.Column("explanation", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"], name=op.f("fk_claim_lines_person_id_persons")),
        sa.ForeignKeyConstraint(["record_id"], ["records.id"], name=op.f("fk_claim_lines_record_id_records")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_lines")),
    )
    op.create_index("ix_claim_lines_person_date", "claim_lines", ["person_id", "date"], unique=False)
    op.create_index(op.f("ix_claim_lines_record_id"), "claim_lines", ["record_id"], unique=False)


def downgrade() -> None:
    for table in (
        "claim_lines",
        "problems",
        "records",
        "access_log",
        "imports",
        "archive_chunks",
        "sources",
        "persons",
        "meta",
        "archive",
    ):
        op.drop_table(table)
