"""The pure core: text in, findings and edits out. No UI library, no file I/O."""
