"""Readers of file formats shared by several sources (R data frames, R serialized lists)."""
