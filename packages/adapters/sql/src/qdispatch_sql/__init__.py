"""qdispatch's Repository and Billing ledger on SQLAlchemy: SQLite by default, PostgreSQL by URL.

from qdispatch_sql import SqlRepository
repository = SqlRepository("sqlite:///path/to/qdispatch.db")
repository = SqlRepository("postgresql+psycopg://user:password@host/qdispatch")
"""

from qdispatch_sql.errors import SchemaNotReady
from qdispatch_sql.repository import SqlRepository, SqlUnitOfWork

__all__ = ["SchemaNotReady", "SqlRepository", "SqlUnitOfWork"]
