"""The run contract's rules as pure functions: no I/O, no vendor SDK, property-tested."""
