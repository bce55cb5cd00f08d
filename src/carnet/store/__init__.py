"""The vault store: one schema on SQLCipher (default) and PostgreSQL (hosted)."""

from carnet.store.vault import Vault, create_vault, open_vault

__all__ = ["Vault", "create_vault", "open_vault"]
