"""`hall demo`: the whole hall on one machine."""
