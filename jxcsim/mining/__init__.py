"""Process mining and diagnosis: where the process waits and where book and shelf part ways.

Every analysis works on the semantics a profile gives a log (docs/semantics.md), never on one
log's activity names or location ids, and produces :class:`~jxcsim.mining.findings.Finding`
records (docs/findings.md).
"""
