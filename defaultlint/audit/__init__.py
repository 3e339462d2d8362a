"""The audit commands: `manifest` and `compare`."""
