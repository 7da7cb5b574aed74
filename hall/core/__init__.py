"""The core: layout, catalogue, model, engine, routing, forecast, advisor, ID numbers.

Pure: no sockets, no SQLite, no Qt, no drivers (import-linter checks it)."""
