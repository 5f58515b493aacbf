"""Home Assistant glue of one entry: the Store, sending commands, repairs, the house watch."""
