"""What travels between the hub and its clients: protocol messages, typed events, the
command registry, the retry core and the state follower. Pure: no sockets."""
