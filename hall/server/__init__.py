"""The hub: its loop and command pipeline, the SQLite store, CURVE/ZAP authentication."""
