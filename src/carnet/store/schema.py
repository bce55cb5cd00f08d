"""The vault schema, shared by SQLite/SQLCipher and PostgreSQL.

Money is kept in minor units (cents) as integers, with the currency beside it.
JSON documents (resources, details, explanations) are kept as canonical text
(sorted keys) so that exports are byte-stable.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

SCHEMA_VERSION = "0004"

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

persons = Table(
    "persons",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("natural_key", String(255), nullable=False, unique=True),
    Column("given", Text),
    Column("family", Text),
    Column("birth_date", String(32)),
    Column("sex", String(32)),
    Column("deceased", String(64)),
    Column("relationship", String(32)),
    Column("created_at", String(32), nullable=False),
)

sources = Table(
    "sources",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(255), nullable=False, unique=True),
)

archive = Table(
    "archive",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("size", BigInteger, nullable=False),  # of the original bytes
    Column("created_at", String(32), nullable=False),
    # revision 0004: how archive_chunks hold the bytes (see carnet.store.archive)
    Column("codec", String(16), nullable=False, server_default="identity"),
)

archive_chunks = Table(
    "archive_chunks",
    metadata,
    Column("sha256", String(64), ForeignKey("archive.sha256"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("data", LargeBinary, nullable=False),
)

imports = Table(
    "imports",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("file_name", Text, nullable=False),
    Column("file_sha256", String(64), ForeignKey("archive.sha256"), nullable=False, index=True),
    Column("importer", String(64), nullable=False),
    Column("source_id", Integer, ForeignKey("sources.id")),
    Column("imported_at", String(32), nullable=False),
    Column("read", Integer, nullable=False),
    Column("added", Integer, nullable=False),
    Column("duplicates", Integer, nullable=False),
    Column("rejected", Integer, nullable=False),
    Column("warnings", Integer, nullable=False),
)

records = Table(
    "records",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("person_id", Integer, ForeignKey("persons.id")),
    Column("kind", String(32), nullable=False),
    Column("natural_key", String(255), nullable=False),
    Column("version", Integer, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("current", Boolean, nullable=False),
    Column("resource_type", String(64)),
    Column("date", String(40)),
    Column("end_date", String(40)),
    Column("code_system", Text),
    Column("code", Text),
    Column("display", Text),
    Column("status", String(64)),
    Column("value_num", Float),
    Column("value_unit", Text),
    Column("value_text", Text),
    Column("reference_range", Text),
    Column("details", Text),
    Column("resource", Text),
    Column("import_id", Integer, ForeignKey("imports.id"), nullable=False),
    Column("file_sha256", String(64), nullable=False),
    Column("pointer", Text, nullable=False),
    UniqueConstraint("natural_key", "content_hash"),
    Index("ix_records_person_kind_date", "person_id", "kind", "date"),
    Index("ix_records_kind_current_id", "kind", "current", "id"),  # revision 0003
)

claim_lines = Table(
    "claim_lines",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("record_id", Integer, ForeignKey("records.id"), nullable=False, index=True),
    Column("person_id", Integer, ForeignKey("persons.id")),
    Column("line_no", Integer, nullable=False),
    Column("date", String(40)),
    Column("category", String(64)),
    Column("provider", Text),
    Column("act_system", Text),
    Column("act_code", Text),
    Column("act_display", Text),
    Column("quantity", String(32)),
    Column("currency", String(3), nullable=False),
    Column("charged", BigInteger),
    Column("base", BigInteger),
    Column("paid_primary", BigInteger),
    Column("paid_complementary", BigInteger),
    Column("fixed_charges", BigInteger),
    Column("overbilling", BigInteger),
    Column("patient_share", BigInteger),
    Column("primary_payer", Text),
    Column("complementary_payer", Text),
    Column("explanation", Text),
    Index("ix_claim_lines_person_date", "person_id", "date"),
    # revision 0003: the budget reads every line's money from this index alone, never
    # decrypting the table's pages and their large explanations
    Index(
        "ix_claim_lines_budget",
        "record_id", "date", "id", "person_id", "category", "provider", "act_system", "act_code", "act_display",
        "currency", "charged", "base", "paid_primary", "paid_complementary", "fixed_charges", "overbilling",
        "patient_share",
    ),
)

problems = Table(
    "problems",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("import_id", Integer, ForeignKey("imports.id"), nullable=False, index=True),
    Column("file", Text, nullable=False),
    Column("position", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("severity", String(16), nullable=False),
)

access_log = Table(
    "access_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", String(32), nullable=False),
    Column("actor", Text, nullable=False),
    Column("action", String(64), nullable=False),
    Column("person_id", Integer, ForeignKey("persons.id")),
    Column("outcome", String(32), nullable=False),
    Column("detail", Text),
)

# --- revision 0002: settings, record overrides, shared links, notifications ---

settings = Table(
    "settings",
    metadata,
    Column("scope", String(64), primary_key=True),  # "household" or "person:<id>"
    Column("area", String(32), primary_key=True),  # budget, emergency, pathway, chronic…
    Column("key", String(128), primary_key=True),
    Column("value", Text, nullable=False),  # canonical JSON
    Column("updated_at", String(32), nullable=False),
)

record_overrides = Table(
    "record_overrides",
    metadata,
    Column("record_id", Integer, ForeignKey("records.id"), primary_key=True),
    Column("state", String(16), nullable=False),  # confirmed, corrected, hidden
    Column("correction", Text),  # JSON of the corrected fields
    Column("updated_at", String(32), nullable=False),
)

shared_links = Table(
    "shared_links",
    metadata,
    Column("id", String(64), primary_key=True),  # manifest id: >= 256 random bits, base64url
    Column("person_id", Integer, ForeignKey("persons.id"), nullable=False, index=True),
    Column("label", Text),
    Column("purpose", String(32), nullable=False),  # e.g. emergency
    Column("flags", String(8), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("expires_at", String(32)),
    Column("revoked_at", String(32)),
    Column("passcode_hash", Text),  # Argon2id; never the passcode
    Column("failures", Integer, nullable=False),
    Column("max_failures", Integer, nullable=False),
    Column("content_type", String(64), nullable=False),
    Column("payload", LargeBinary, nullable=False),  # JWE compact (dir + A256GCM); the key is not here
)

notifications = Table(
    "notifications",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", String(32), nullable=False),
    Column("person_id", Integer, ForeignKey("persons.id")),
    Column("kind", String(32), nullable=False),
    Column("message", Text, nullable=False),
    Column("read_at", String(32)),
)
