"""The editor's language server (pygls is imported only here)."""
