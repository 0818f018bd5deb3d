"""公示: what approved registers publish, readable without logging in."""
