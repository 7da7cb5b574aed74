"""`hall web`: the web gateway — the ticket on the citizen's phone, scan-to-rate and a board
in any browser (DESIGN.md §8). One more client of the hub, with its own key and role
(web); it never touches SQLite and keeps nothing the hub does not have."""
