"""MCP Tasks backed by the job store (issue 18): see extension.py and legacy.py."""

from qdispatch_mcp.tasks.extension import TasksExtension
from qdispatch_mcp.tasks.legacy import legacy_tasks
from qdispatch_mcp.tasks.watch import TaskWatchers

__all__ = ["TaskWatchers", "TasksExtension", "legacy_tasks"]
