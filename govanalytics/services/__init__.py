"""(capability under construction)."""
