"""Real services the tests start on loopback (PostgreSQL, a stand-in OpenAI API)."""
