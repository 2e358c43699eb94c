"""End-to-end tests: a package, so that their package-scoped stack is torn down when they end."""
