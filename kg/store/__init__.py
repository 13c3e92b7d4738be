"""The store: its layout on disk, the backends (embedded, remote), the query worker pool and the writes."""
