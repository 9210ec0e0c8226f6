"""The pages: each handler parses its input, calls use cases, and renders a template."""
