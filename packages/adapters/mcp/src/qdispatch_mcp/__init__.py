"""qdispatch's MCP server: the run contract's tools for agents, over stdio and streamable HTTP.

python -m qdispatch_mcp                                   # stdio, the default local user
python -m qdispatch_mcp --transport http --port 8765      # HTTP, an API key per request
"""

__version__ = "0.1.0"

# After __version__, which the server reports.
from qdispatch_mcp.server import build_server

__all__ = ["__version__", "build_server"]
