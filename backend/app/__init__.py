"""Todo backend: FastAPI app with auth, tasks and an AI chat that manages tasks."""
