"""ZeroMQ sockets and device key files, shared by the hub and its clients."""
