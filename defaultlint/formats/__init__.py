"""Output formats: findings rendered for terminals, CI systems and editors."""
