"""HTML pages for people: self-contained, and everything that comes from a log is escaped."""
