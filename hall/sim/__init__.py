"""The routing benchmark: the simulator and its metrics (`hall simulate`)."""
