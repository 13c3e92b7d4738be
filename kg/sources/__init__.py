"""The sources: the registry (files, sha256, origin, licence, reader of each), verification and fetching."""
