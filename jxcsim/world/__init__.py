"""The SimPy world: a wholesaler's week around the engine, driven by scenario files."""
